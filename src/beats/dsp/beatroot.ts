import { trackBeat } from './beatroot/beat-tracking.js';
import { findPeaks, normalize } from './beatroot/onset-peaks.js';
import type { BeatRootParams } from './beatroot/params.js';
import { calculateScore, createTempoList, mergeClusters, processRhythmicEvents } from './beatroot/tempo-induction.js';
import { spectralFlux } from './spectral-flux.js';

export interface RawBeats {
  beats: number[];
  beatIntervalS: number;
}

/**
 * Simon Dixon's BeatRoot as music-tempo implements it (what `new MusicTempo(pcm, params)` does),
 * step by step so it runs on our faster onset function (the steps are ported in ./beatroot/):
 * onset peaks of the spectral flux, tempo hypotheses from inter-onset-interval clusters, competing
 * beat agents; the best agent's beats with gaps filled. Returns null when the
 * audio has no onsets to track (silence, a steady tone). Times are at the flux's 10 ms resolution.
 */
export async function beatRoot(samples: Float32Array, rate: number): Promise<RawBeats | null> {
  const hop = Math.round(rate / 100);
  const bufferSize = 2 ** Math.round(Math.log2(rate * 0.0464)); // 46 ms, as 2048 at 44.1 kHz
  const timeStep = hop / rate;
  // 60–180 BPM: wider ranges make double-time errors (hi-hat eighths read as beats) more likely.
  const params: BeatRootParams = { timeStep, minBeatInterval: 1 / 3, maxBeatInterval: 1 };
  const flux = await spectralFlux(samples, bufferSize, hop);
  if (flux.length < 10) return null;
  normalize(flux);
  const peaks = findPeaks(flux, params);
  if (!peaks) return null;
  const events = peaks.map((p) => p * timeStep);
  const rhythm = processRhythmicEvents(events, params);
  if (!rhythm) return null;
  const clusters = mergeClusters(rhythm, params);
  const scores = calculateScore(clusters, params);
  const tempos = createTempoList({ ...clusters, ...scores }, params);
  if (tempos.length === 0) return null;
  let min = Infinity;
  for (const v of flux) min = Math.min(min, v);
  const agents = trackBeat(events, peaks.map((p) => flux[p]! - min), tempos, params);
  let best = agents[0];
  for (const a of agents) if (a.score > (best?.score ?? -1)) best = a;
  if (!best || best.events.length < 2) return null;
  best.fillBeats();
  return { beats: best.events.slice(), beatIntervalS: best.beatInterval };
}
