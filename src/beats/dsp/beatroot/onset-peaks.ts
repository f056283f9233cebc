// Ported from music-tempo 1.0.3 OnsetDetection (MIT, Copyright (c) 2017 killercrush; see LICENSE in this folder).
import type { BeatRootParams } from './params.js';

/** Scales the onset function in place to zero mean and unit standard deviation. */
export function normalize(data: number[]): void {
  if (data.length === 0) throw new Error('normalize: the array is empty');
  let sum = 0;
  let squareSum = 0;
  for (const v of data) {
    sum += v;
    squareSum += v * v;
  }
  const mean = sum / data.length;
  let sd = Math.sqrt((squareSum - sum * mean) / data.length);
  if (sd === 0) sd = 1;
  for (let i = 0; i < data.length; i++) data[i] = (data[i]! - mean) / sd;
}

/** Indexes of the onset function's peaks; null when fewer than two are found. */
export function findPeaks(sf: number[], params: BeatRootParams = {}): number[] | null {
  const length = sf.length;
  const decayRate = params.decayRate || 0.84;
  const peakFindingWindow = params.peakFindingWindow || 6;
  const meanWndMultiplier = params.meanWndMultiplier || 3;
  const peakThreshold = params.peakThreshold || 0.35;
  let av = sf[0]!;
  const peaks: number[] = [];
  for (let i = 0; i < length; i++) {
    av = decayRate * av + (1 - decayRate) * sf[i]!;
    if (sf[i]! < av) continue;
    const wndStart = Math.max(0, i - peakFindingWindow);
    const wndEnd = Math.min(length, i + peakFindingWindow + 1);
    if (av < sf[i]!) av = sf[i]!;
    let isMax = true;
    for (let j = wndStart; j < wndEnd; j++) if (sf[j]! > sf[i]!) isMax = false;
    if (!isMax) continue;
    const meanWndStart = Math.max(0, i - peakFindingWindow * meanWndMultiplier);
    const meanWndEnd = Math.min(length, i + peakFindingWindow);
    let sum = 0;
    for (let j = meanWndStart; j < meanWndEnd; j++) sum += sf[j]!;
    if (sf[i]! > sum / (meanWndEnd - meanWndStart) + peakThreshold) peaks.push(i);
  }
  return peaks.length < 2 ? null : peaks;
}
