import { createRequire } from 'node:module';
import { spectralFlux } from './spectral-flux.js';

// music-tempo is CommonJS; its steps are separate documented classes.
const require = createRequire(import.meta.url);
const OnsetDetection = require('music-tempo/dist/node/OnsetDetection.js') as typeof import('music-tempo/dist/node/OnsetDetection.js');
const TempoInduction = require('music-tempo/dist/node/TempoInduction.js') as typeof import('music-tempo/dist/node/TempoInduction.js');
const BeatTracking = require('music-tempo/dist/node/BeatTracking.js') as typeof import('music-tempo/dist/node/BeatTracking.js');

export interface RawBeats {
  beats: number[];
  beatIntervalS: number;
}

/**
 * Simon Dixon's BeatRoot as music-tempo implements it (what `new MusicTempo(pcm, params)` does),
 * step by step: onset peaks of the spectral flux, tempo hypotheses from inter-onset-interval
 * clusters, competing beat agents; the best agent's beats with gaps filled. Returns null when the
 * audio has no onsets to track (silence, a steady tone). Times are at the flux's 10 ms resolution.
 */
export async function beatRoot(samples: Float32Array, rate: number): Promise<RawBeats | null> {
  const hop = Math.round(rate / 100);
  const bufferSize = 2 ** Math.round(Math.log2(rate * 0.0464)); // 46 ms, as 2048 at 44.1 kHz
  const timeStep = hop / rate;
  // 60–180 BPM: wider ranges make double-time errors (hi-hat eighths read as beats) more likely.
  const params = { bufferSize, hopSize: hop, timeStep, minBeatInterval: 1 / 3, maxBeatInterval: 1 };
  const flux = await spectralFlux(samples, bufferSize, hop);
  if (flux.length < 10) return null;
  OnsetDetection.normalize(flux);
  let peaks: number[];
  try {
    peaks = OnsetDetection.findPeaks(flux, params);
  } catch {
    return null; // the library throws a string when fewer than two peaks exist
  }
  const events = peaks.map((p) => p * timeStep);
  const clusters = TempoInduction.mergeClusters(TempoInduction.processRhythmicEvents(events, params), params);
  const scores = TempoInduction.calculateScore(clusters, params);
  const tempos = TempoInduction.createTempoList({ ...clusters, ...scores }, params);
  if (tempos.length === 0) return null;
  let min = Infinity;
  for (const v of flux) min = Math.min(min, v);
  const agents = BeatTracking.trackBeat(events, peaks.map((p) => flux[p]! - min), tempos, params);
  let best = agents[0];
  for (const a of agents) if (a.score > (best?.score ?? -1)) best = a;
  if (!best || best.events.length < 2) return null;
  best.fillBeats();
  return { beats: best.events.slice(), beatIntervalS: best.beatInterval };
}
