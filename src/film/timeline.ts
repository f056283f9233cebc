/**
 * The film's timeline arithmetic: the crossfade, how shown lengths lay end to end, the music's
 * fade-out. The cut plan (plan.ts), the playlist the players get (playlist.ts) and the export's
 * segments (render-timeline.ts) all come through here; nothing else computes a start, an out point
 * or a fade.
 */

import { DEFAULT_TRANSITION_S } from '../transitions/kinds.js';

/** The crossfade between clips, in seconds, unless a clip is too short for it (crossfadeFor). */
export const CROSSFADE_S = DEFAULT_TRANSITION_S.crossfade;
/** The music fades out over the film's last seconds: this long, or a quarter of a short film. */
export const MUSIC_FADE_OUT_S = 1.5;

/** Times sit on a microsecond grid, so startS + outS = endS exactly. */
export const roundS = (t: number) => Math.round(t * 1e6) / 1e6;

/** The crossfade between these clips: `wanted`, but never more than half of the shortest one. */
export function crossfadeFor(lengthsS: number[], wanted = CROSSFADE_S): number {
  const fade = Math.max(0, wanted);
  if (lengthsS.length < 2) return roundS(fade);
  return roundS(Math.min(fade, Math.min(...lengthsS.map((l) => Math.max(0, l))) / 2));
}

/** Where a clip ends: it appears at `startS` and is shown for `outS` (fades included). */
export const endOf = (startS: number, outS: number) => roundS(startS + outS);
/** The next clip appears one crossfade before this one has faded out. */
export const nextStartS = (endS: number, crossfadeS: number) => roundS(endS - crossfadeS);

/** Clips shown for `outsS` seconds each, laid end to end, overlapping by the crossfade (one for all, or each cut's own). */
export function layOut(outsS: number[], crossfadeS: number | number[]): Array<{ startS: number; outS: number; endS: number }> {
  let start = 0;
  return outsS.map((outS, i) => {
    const seg = { startS: start, outS, endS: endOf(start, outS) };
    start = nextStartS(seg.endS, typeof crossfadeS === 'number' ? crossfadeS : crossfadeS[i] ?? 0);
    return seg;
  });
}

/** The music's fade-out over the end of a film `totalS` long. */
export function musicFadeOut(totalS: number): { startS: number; durationS: number } {
  const durationS = roundS(Math.min(MUSIC_FADE_OUT_S, totalS / 4));
  return { startS: roundS(totalS - durationS), durationS };
}
