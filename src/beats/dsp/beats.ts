import { beatRoot } from './beatroot.js';
import { autocorrelation, energyFlux, peakNear, type Envelope } from './onsets.js';

export interface BeatTrack {
  tempoBpm: number;
  /** Beat times (s), ascending, covering the whole track. */
  beats: number[];
  /** Onset strength at each beat (the level jump there), for choosing downbeats. */
  strengths: number[];
  /** Fraction of tracked beats that sit on a real attack in the audio (0..1). */
  onBeatRatio: number;
}

// BeatRoot's beats come at a 10 ms resolution and a little late (its flux peaks when the attack
// reaches the middle of a 46 ms window); each is moved onto the attack it belongs to, found in a
// 1.5 ms energy flux within this radius.
const SNAP_RADIUS_S = 0.03;
// A level jump below this (natural log of energy, ~0.4 dB per 1.5 ms frame) is not an attack.
const MIN_ATTACK = 0.05;
// The same for the coarse envelope (11.6 ms frames).
const MIN_SWELL = 0.1;

export interface Envelopes {
  /** 1.45 ms hop: where attacks are. */
  fine: Envelope;
  /** 11.6 ms hop, 46 ms window: how big they are, and how periodic. */
  coarse: Envelope;
}

export function envelopes(samples: Float32Array, rate: number): Envelopes {
  const hop = Math.max(1, Math.round(rate / 690));
  return {
    fine: energyFlux(samples, rate, { win: hop * 16, hop }),
    coarse: energyFlux(samples, rate, { win: hop * 32, hop: hop * 8 }),
  };
}

function snap(env: Envelope, t: number): { t: number; hit: boolean } {
  const p = peakNear(env, t, SNAP_RADIUS_S);
  // A maximum on the window's edge is the slope of an attack outside it, not one inside.
  const inside = Math.abs(p.t - t) < SNAP_RADIUS_S - env.hopS;
  return p.strength >= MIN_ATTACK && inside ? { t: p.t, hit: true } : { t, hit: false };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : 0;
}

/** Extends a beat grid at its local period back to 0 and on to the end, snapping where attacks are. */
function extend(beats: number[], env: Envelope, durationS: number): number[] {
  const out = beats.slice();
  const head = median(out.slice(1, 9).map((b, i) => b - out[i]!));
  while (head > 0 && out[0]! - head >= 0) out.unshift(snap(env, out[0]! - head).t);
  const n = out.length;
  const tail = median(out.slice(n - 9).slice(1).map((b, i) => b - out[n - 9 + i]!));
  while (tail > 0 && out[out.length - 1]! + tail < durationS) out.push(snap(env, out[out.length - 1]! + tail).t);
  return out;
}

/**
 * Tempo and beat times: BeatRoot (music-tempo) for the beat grid, then each beat refined onto its
 * attack, the grid extended over the whole track. Null when nothing can be tracked.
 */
export async function trackBeats(samples: Float32Array, rate: number, env: Envelopes): Promise<BeatTrack | null> {
  const raw = await beatRoot(samples, rate);
  const durationS = samples.length / rate;
  if (!raw) return null;
  const tracked = raw.beats.filter((b) => b >= 0 && b < durationS).map((b) => snap(env.fine, b));
  if (tracked.length < 4) return null;
  const onBeatRatio = tracked.filter((b) => b.hit).length / tracked.length;
  const beats = extend(
    tracked.map((b) => b.t),
    env.fine,
    durationS,
  ).filter((b, i, all) => i === 0 || b - all[i - 1]! > 0.1); // a snap never makes two beats one
  // Over 4-beat spans, so the 1.5 ms quantisation of single intervals averages out.
  const ibi = beats.length > 4 ? median(beats.slice(4).map((b, i) => (b - beats[i]!) / 4)) : raw.beatIntervalS;
  return {
    tempoBpm: 60 / ibi,
    beats,
    strengths: beats.map((b) => peakNear(env.coarse, b, 0.035).strength),
    onBeatRatio,
  };
}

/**
 * How periodic the onsets are: the highest normalised autocorrelation of the onset envelope at
 * beat-like lags (0.25–1.5 s). Near 0 for noise, speech and drones; music with a beat scores
 * well above 0.3. Level wobbles under ~0.4 dB per frame (a drone's ripple, a pad's swell) are
 * removed first: they can be perfectly periodic but are not heard as beats.
 */
export function periodicity(env: Envelope): number {
  const cleaned: Envelope = { ...env, values: env.values.map((v) => Math.max(0, v - MIN_SWELL)) };
  let best = 0;
  for (const { r } of autocorrelation(cleaned, 0.25, 1.5)) best = Math.max(best, r);
  return best;
}
