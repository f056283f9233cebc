// Ported from music-tempo 1.0.3 TempoInduction (MIT, Copyright (c) 2017 killercrush; see LICENSE in this folder).
import type { BeatRootParams } from './params.js';

export interface Clusters {
  clIntervals: number[];
  clSizes: number[];
}

export interface Scores {
  clScores: number[];
  clScoresIdxs: number[];
}

/** Clusters the inter-onset intervals (seconds) of every pair of events; null when there are none. */
export function processRhythmicEvents(events: number[], params: BeatRootParams = {}): Clusters | null {
  const widthTreshold = params.widthTreshold || 0.025;
  const maxIOI = params.maxIOI || 2.5;
  const minIOI = params.minIOI || 0.07;
  const length = events.length;
  const clIntervals: number[] = [];
  const clSizes: number[] = [];
  let clCount = 0;
  for (let i = 0; i < length - 1; i++) {
    for (let j = i + 1; j < length; j++) {
      const ioi = events[j]! - events[i]!;
      if (ioi < minIOI) continue;
      if (ioi > maxIOI) break;
      let k = 0;
      for (; k < clCount; k++) {
        if (Math.abs(clIntervals[k]! - ioi) < widthTreshold) {
          // clIntervals[k + 1] is undefined past the end: NaN compares false, as in the original.
          if (Math.abs(clIntervals[k + 1]! - ioi) < Math.abs(clIntervals[k]! - ioi) && k < clCount - 1) k++;
          clIntervals[k] = (clIntervals[k]! * clSizes[k]! + ioi) / (clSizes[k]! + 1);
          clSizes[k]!++;
          break;
        }
      }
      if (k !== clCount) continue;
      clCount++;
      for (; k > 0 && clIntervals[k - 1]! > ioi; k--) {
        clIntervals[k] = clIntervals[k - 1]!;
        clSizes[k] = clSizes[k - 1]!;
      }
      clIntervals[k] = ioi;
      clSizes[k] = 1;
    }
  }
  if (clCount === 0) return null;
  clIntervals.length = clCount;
  clSizes.length = clCount;
  return { clIntervals, clSizes };
}

/** Merges clusters closer than widthTreshold (in place). */
export function mergeClusters(clusters: Clusters, params: BeatRootParams = {}): Clusters {
  const widthTreshold = params.widthTreshold || 0.025;
  const { clIntervals, clSizes } = clusters;
  let clCount = clIntervals.length;
  for (let i = 0; i < clCount; i++) {
    for (let j = i + 1; j < clCount; j++) {
      if (Math.abs(clIntervals[i]! - clIntervals[j]!) < widthTreshold) {
        clIntervals[i] = (clIntervals[i]! * clSizes[i]! + clIntervals[j]! * clSizes[j]!) / (clSizes[i]! + clSizes[j]!);
        clSizes[i] = clSizes[i]! + clSizes[j]!;
        --clCount;
        for (let k = j + 1; k <= clCount; k++) {
          clIntervals[k - 1] = clIntervals[k]!;
          clSizes[k - 1] = clSizes[k]!;
        }
      }
    }
  }
  clIntervals.length = clCount;
  clSizes.length = clCount;
  return { clIntervals, clSizes };
}

/** Scores each cluster by its size plus those of clusters at simple ratios of it; the best first. */
export function calculateScore(clusters: Clusters, params: BeatRootParams = {}): Scores {
  const widthTreshold = params.widthTreshold || 0.025;
  let maxTempos = params.maxTempos || 10;
  const { clIntervals, clSizes } = clusters;
  const clScores: number[] = [];
  const ranked: { score: number; idx: number }[] = [];
  const clCount = clIntervals.length;
  for (let i = 0; i < clCount; i++) {
    clScores[i] = 10 * clSizes[i]!;
    ranked[i] = { score: clScores[i]!, idx: i };
  }
  ranked.sort((a, b) => b.score - a.score);
  if (ranked.length > maxTempos) {
    for (let i = maxTempos - 1; i < ranked.length - 1; i++) {
      if (ranked[i]!.score === ranked[i + 1]!.score) maxTempos++;
      else break;
    }
    ranked.length = maxTempos;
  }
  const clScoresIdxs = ranked.map((a) => a.idx);
  for (let i = 0; i < clCount; i++) {
    for (let j = i + 1; j < clCount; j++) {
      const ratio = clIntervals[i]! / clIntervals[j]!;
      const isFraction = ratio < 1;
      let d = isFraction ? Math.round(1 / ratio) : Math.round(ratio);
      if (d < 2 || d > 8) continue;
      const err = isFraction ? Math.abs(clIntervals[i]! * d - clIntervals[j]!) : Math.abs(clIntervals[i]! - clIntervals[j]! * d);
      const errTreshold = isFraction ? widthTreshold : widthTreshold * d;
      if (err >= errTreshold) continue;
      d = d >= 5 ? 1 : 6 - d;
      clScores[i]! += d * clSizes[j]!;
      clScores[j]! += d * clSizes[i]!;
    }
  }
  return { clScores, clScoresIdxs };
}

/** Beat-interval hypotheses (seconds), best first, folded into [minBeatInterval, maxBeatInterval]. */
export function createTempoList(clusters: Clusters & Scores, params: BeatRootParams = {}): number[] {
  const widthTreshold = params.widthTreshold || 0.025;
  const minBeatInterval = params.minBeatInterval || 0.3;
  const maxBeatInterval = params.maxBeatInterval || 1;
  const { clIntervals, clScores, clScoresIdxs } = clusters;
  const tempoList: number[] = [];
  const clCount = clIntervals.length;
  for (const idx of clScoresIdxs) {
    let newSum = clIntervals[idx]! * clScores[idx]!;
    let newWeight = clScores[idx]!;
    for (let j = 0; j < clCount; j++) {
      if (j === idx) continue;
      const ratio = clIntervals[idx]! / clIntervals[j]!;
      const isFraction = ratio < 1;
      const d = isFraction ? Math.round(1 / ratio) : Math.round(ratio);
      if (d < 2 || d > 8) continue;
      const err = isFraction ? Math.abs(clIntervals[idx]! * d - clIntervals[j]!) : Math.abs(clIntervals[idx]! - d * clIntervals[j]!);
      const errTreshold = isFraction ? widthTreshold : widthTreshold * d;
      if (err >= errTreshold) continue;
      newSum += isFraction ? (clIntervals[j]! / d) * clScores[j]! : clIntervals[j]! * d * clScores[j]!;
      newWeight += clScores[j]!;
    }
    let beat = newSum / newWeight;
    while (beat < minBeatInterval) beat *= 2;
    while (beat > maxBeatInterval) beat /= 2;
    tempoList.push(beat);
  }
  return tempoList;
}
