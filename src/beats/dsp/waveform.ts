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
