import { envelopes, periodicity, trackBeats } from './beats.js';
import { downbeats } from './downbeats.js';
import { peakCount, waveformPeaks } from './waveform.js';

export interface TrackAnalysis {
  status: 'ready' | 'no_beat';
  tempoBpm: number | null;
  /** Seconds from the start of the track, ascending; empty when there is no clear beat. */
  beats: number[];
  /** Bar starts (a subset of beats). */
  downbeats: number[];
  /** Peaks 0..1, ten a second (200 to 3000: peakCount). */
  waveform: number[];
  durationS: number;
  /** Why there is no beat, for the page. */
  note: string | null;
  /** How periodic the onsets are (0..1) and how many beats sit on attacks (0..1): the evidence. */
  periodicity: number;
  onBeatRatio: number;
}

// Music with a beat scores 0.45 and up, speech, noise and drones 0.1 and under (see test/beats).
const MIN_PERIODICITY = 0.25;
// Beats of a real pulse fall on attacks; a tracker forced onto noise lands on them by chance.
const MIN_ON_BEAT = 0.5;
const MIN_BEATS = 8;

const round = (t: number) => Math.round(t * 10000) / 10000;

/** Tempo, beats, downbeats and a waveform of mono PCM, or `no_beat` with a reason when the pulse is unclear. */
export async function analyseSamples(samples: Float32Array, rate: number): Promise<TrackAnalysis> {
  const durationS = samples.length / rate;
  const waveform = waveformPeaks(samples, peakCount(durationS));
  const env = envelopes(samples, rate);
  const clarity = periodicity(env.coarse);
  const track = clarity >= MIN_PERIODICITY ? await trackBeats(samples, rate, env) : null;
  const base = { waveform, durationS: round(durationS), periodicity: round(clarity), onBeatRatio: track ? round(track.onBeatRatio) : 0 };
  if (!track || track.beats.length < MIN_BEATS || track.onBeatRatio < MIN_ON_BEAT) {
    return {
      ...base,
      status: 'no_beat',
      tempoBpm: null,
      beats: [],
      downbeats: [],
      note: 'No clear beat in this track (it sounds like speech, ambience or silence), so clips will be cut evenly.',
    };
  }
  return {
    ...base,
    status: 'ready',
    tempoBpm: Math.round(track.tempoBpm * 10) / 10,
    beats: track.beats.map(round),
    downbeats: downbeats(track.beats, track.strengths).map(round),
    note: null,
  };
}
