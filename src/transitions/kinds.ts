/**
 * Transitions per cut (issue 30.3), the words and numbers every feature shares (src/film plans and
 * edits them, src/clips shows them on the card): the transition from a clip into the next, as the clip holds it
 * (its transition_* columns). Every kind overlaps the two clips by its length, and its midpoint is
 * the cut (the beat): a crossfade blends them, a dip goes through black, a flash through white, and
 * a cut has no length. The export uses ffmpeg's xfade with the matching transition; the players do
 * the same with opacity (public/js/player/videos.js).
 */
import type { TransitionKind } from '../platform/db-types.js';

/** Times sit on a microsecond grid (as src/film/timeline.ts's). */
const roundS = (t: number) => Math.round(t * 1e6) / 1e6;

export const TRANSITION_KINDS: readonly TransitionKind[] = ['cut', 'crossfade', 'dip', 'flash'];

export const TRANSITION_LABELS: Record<TransitionKind, string> = { cut: 'Cut', crossfade: 'Crossfade', dip: 'Dip to black', flash: 'Flash' };

/** The length of each kind when none is given. */
export const DEFAULT_TRANSITION_S: Record<TransitionKind, number> = { cut: 0, crossfade: 0.3, dip: 0.6, flash: 0.4 };

/** Without beats to measure, a beat is taken as this long (120 beats a minute). */
export const FALLBACK_BEAT_S = 0.5;

/** The transition as a clip holds it: a length in seconds or in beats, or neither. */
export interface TransitionSpec {
  kind: TransitionKind;
  s?: number | null;
  beats?: number | null;
}

/** The music's beat length: the median gap between its beats (null: too few to say). */
export function beatLengthS(beats: number[]): number | null {
  const gaps = beats.slice(1).map((b, i) => b - beats[i]!).filter((g) => g > 0).sort((a, b) => a - b);
  return gaps.length ? gaps[Math.floor(gaps.length / 2)]! : null;
}

/** How long the transition wants to be, in seconds, before the clips' lengths cap it. */
export function wantedLengthS(spec: TransitionSpec, beatS: number | null): number {
  if (spec.kind === 'cut') return 0;
  if (spec.beats) return roundS(spec.beats * (beatS ?? FALLBACK_BEAT_S));
  if (spec.s) return roundS(spec.s);
  return DEFAULT_TRANSITION_S[spec.kind];
}

/** The longest transition two clips allow: half the shorter, so each clip's fade in and out fit in it. */
export const longestBetween = (aS: number, bS: number) => roundS(Math.max(0, Math.min(aS, bS)) / 2);

/** ffmpeg's xfade transition for each kind that has a length. */
export const XFADE: Record<Exclude<TransitionKind, 'cut'>, string> = { crossfade: 'fade', dip: 'fadeblack', flash: 'fadewhite' };
