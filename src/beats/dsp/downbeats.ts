/** Beats per bar. Only 4/4 is assumed: by far the most common metre in songs people cut videos to. */
export const BEATS_PER_BAR = 4;

/**
 * Which beat (0–3) starts the bars: the phase whose beats are accented most, i.e. have the highest
 * mean onset strength (the kick and crash on the "one", a chord change). Ties go to the earliest.
 */
export function downbeatPhase(strengths: number[]): number {
  let best = 0;
  let bestScore = -Infinity;
  for (let phase = 0; phase < BEATS_PER_BAR; phase++) {
    let sum = 0;
    let count = 0;
    for (let i = phase; i < strengths.length; i += BEATS_PER_BAR) {
      sum += strengths[i]!;
      count++;
    }
    const score = count ? sum / count : -Infinity;
    if (score > bestScore + 1e-9) {
      bestScore = score;
      best = phase;
    }
  }
  return best;
}

/** Bar starts: every 4th beat from the accented phase. */
export function downbeats(beats: number[], strengths: number[]): number[] {
  const phase = downbeatPhase(strengths);
  return beats.filter((_, i) => i % BEATS_PER_BAR === phase);
}
