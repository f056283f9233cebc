/** Peaks stored per track: ten a second (the timeline zooms in to a clip), 200 to 3000 of them. */
export function peakCount(durationS: number): number {
  return Math.min(3000, Math.max(200, Math.round(durationS * 10)));
}

/** `peaks` max-pooled down to at most `points` (the beat panel draws 200 however many are stored). */
export function poolPeaks(peaks: number[], points: number): number[] {
  if (peaks.length <= points) return peaks;
  const per = peaks.length / points;
  return Array.from({ length: points }, (_, p) => Math.max(...peaks.slice(Math.floor(p * per), Math.max(Math.floor(p * per) + 1, Math.floor((p + 1) * per)))));
}

/** Peaks for the small waveform on the project page: `points` values 0..1, scaled to the loudest. */
export function waveformPeaks(samples: Float32Array, points = 200): number[] {
  const peaks = new Array<number>(points).fill(0);
  if (samples.length === 0) return peaks;
  const per = samples.length / points;
  let loudest = 0;
  for (let p = 0; p < points; p++) {
    let max = 0;
    const end = Math.min(samples.length, Math.floor((p + 1) * per));
    for (let i = Math.floor(p * per); i < end; i++) {
      const v = Math.abs(samples[i]!);
      if (v > max) max = v;
    }
    peaks[p] = max;
    if (max > loudest) loudest = max;
  }
  return loudest > 0 ? peaks.map((v) => Math.round((v / loudest) * 1000) / 1000) : peaks;
}
