import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { analyseSamples } from '../../src/beats/dsp/analysis.js';
import { beatRoot } from '../../src/beats/dsp/beatroot.js';
import { normalize } from '../../src/beats/dsp/beatroot/onset-peaks.js';
import { downbeatPhase, downbeats } from '../../src/beats/dsp/downbeats.js';
import { spectralFlux } from '../../src/beats/dsp/spectral-flux.js';
import { waveformPeaks } from '../../src/beats/dsp/waveform.js';
import { analysisView, waveformSvg } from '../../src/beats/analysis-panel.js';

const require = createRequire(import.meta.url);

const RATE = 22050;

/** In-memory clicks: 10 ms decaying blips at `times`, the accented ones louder. */
function clicks(seconds: number, times: number[], accented: (i: number) => boolean): Float32Array {
  const out = new Float32Array(seconds * RATE);
  times.forEach((t, i) => {
    const start = Math.round(t * RATE);
    for (let k = 0; k < RATE * 0.02 && start + k < out.length; k++) {
      out[start + k] = (accented(i) ? 0.9 : 0.4) * Math.sin((2 * Math.PI * 1500 * k) / RATE) * Math.exp((-k / RATE) * 250);
    }
  });
  return out;
}

describe('beat analysis internals', () => {
  it("computes music-tempo's spectral flux and BeatRoot beats exactly (its public API as the reference)", async () => {
    const MusicTempo = require('music-tempo');
    const times = Array.from({ length: 32 }, (_, i) => 0.4 + i * 0.6);
    const signal = clicks(20, times, (i) => i % 4 === 1);
    for (let i = 0; i < signal.length; i++) signal[i] = signal[i]! + Math.sin(i * 0.9) * 0.01;
    // The parameters beatRoot() derives for 22.05 kHz: a 1024-sample window, 10 ms hop, 60–180 BPM.
    const hop = Math.round(RATE / 100);
    const theirs = new MusicTempo(signal, { bufferSize: 1024, hopSize: hop, timeStep: hop / RATE, minBeatInterval: 1 / 3, maxBeatInterval: 1 });
    const flux = await spectralFlux(signal, 1024, hop);
    normalize(flux);
    expect(flux).toHaveLength(theirs.spectralFlux.length);
    flux.forEach((v, i) => expect(v).toBeCloseTo(theirs.spectralFlux[i], 9));
    const ours = await beatRoot(signal, RATE);
    expect(ours!.beats.length).toBeGreaterThan(20);
    expect(ours!.beats).toHaveLength(theirs.beats.length);
    ours!.beats.forEach((b, i) => expect(b).toBeCloseTo(theirs.beats[i], 9));
    expect(ours!.beatIntervalS).toBeCloseTo(theirs.beatInterval, 9);
  });

  it('finds a 100 BPM pulse with accents on the second beat of each bar', async () => {
    const times = Array.from({ length: 32 }, (_, i) => 0.4 + i * 0.6);
    const result = await analyseSamples(clicks(20, times, (i) => i % 4 === 1), RATE);
    expect(result.status).toBe('ready');
    expect(result.tempoBpm).toBeCloseTo(100, 0);
    times.forEach((t, i) => expect(Math.abs(result.beats[i]! - t)).toBeLessThan(0.01));
    // The grid goes on to the end of the track.
    expect(result.beats.at(-1)).toBeCloseTo(19.6, 1);
    expect(result.downbeats[0]).toBeCloseTo(1.0, 1);
  });

  it('calls irregular clicks (speech-like timing) no_beat', async () => {
    let seed = 3;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const times: number[] = [];
    for (let t = 0.2; t < 19.5; t += 0.12 + rnd() * 0.8) times.push(t);
    const result = await analyseSamples(clicks(20, times, () => rnd() < 0.3), RATE);
    expect(result.status).toBe('no_beat');
    expect(result.periodicity).toBeLessThan(0.25);
  });

  it('calls silence no_beat', async () => {
    const result = await analyseSamples(new Float32Array(RATE * 5), RATE);
    expect(result).toMatchObject({ status: 'no_beat', beats: [], tempoBpm: null });
    expect(result.waveform.every((v) => v === 0)).toBe(true);
  });

  it('picks the most accented phase as the bar start', () => {
    expect(downbeatPhase([1, 1, 3, 1, 1, 1, 3, 1])).toBe(2);
    expect(downbeatPhase([1, 1, 1, 1])).toBe(0);
    expect(downbeats([0, 1, 2, 3, 4, 5, 6, 7, 8], [0, 5, 0, 0, 0, 5, 0, 0, 0])).toEqual([1, 5]);
  });

  it('draws 200 peaks scaled to the loudest, and ticks only where they are readable', () => {
    const peaks = waveformPeaks(Float32Array.from({ length: 4000 }, (_, i) => (i < 2000 ? 0.25 : -0.5)));
    expect(peaks).toHaveLength(200);
    expect(peaks[0]).toBe(0.5);
    expect(peaks[199]).toBe(1);
    const sparse = waveformSvg(peaks, [1, 2, 3], [1], 10);
    expect(sparse.beats.match(/M/g)).toHaveLength(3);
    expect(sparse.bars).toBe('M100 58V72');
    expect(sparse.grid).toBe('M100 0V72');
    const dense = waveformSvg(peaks, Array.from({ length: 480 }, (_, i) => i / 2), [0, 2], 240);
    expect(dense.beats).toBe('');
    expect(dense.bars.match(/M/g)).toHaveLength(2);
    const many = waveformSvg(peaks, [], Array.from({ length: 60 }, (_, i) => i * 2), 240);
    expect(many.grid).toBe('');
  });

  it('builds the panel view for each state', () => {
    const project = { id: 'p', music_key: 'music/k', cut_on_beat: true, cut_mode: 'beat' as const };
    expect(analysisView({ ...project, music_key: null }, undefined).state).toBe('none');
    expect(analysisView(project, undefined)).toMatchObject({ state: 'pending', polling: true });
    const row = { project_id: 'p', music_key: 'music/k', status: 'ready' as const, tempo_bpm: 118.4, beats: [0.5, 1], downbeats: [0.5], waveform: [0.2, 1], duration_s: 125, note: null, error_message: null, attempts: 1, started_at: null, finished_at: null, created_at: new Date(), updated_at: new Date() };
    expect(analysisView(project, row)).toMatchObject({ state: 'ready', polling: false, tempoLabel: '118 BPM', summary: '2:05 · 2 beats · 1 bar' });
    expect(analysisView(project, { ...row, status: 'error', error_message: 'Damaged.' })).toMatchObject({ state: 'error', errorMessage: 'Damaged.' });
  });
});
