import type { CutPlan } from './plan.js';
import { crossfadeFor, layOut, musicFadeOut, roundS } from './timeline.js';
import { longestBetween } from '../transitions/kinds.js';
import type { TransitionKind } from '../platform/db-types.js';

/** What the export renders: each clip's shown length and place, the crossfade and the music's fade-out. */
export interface RenderTimeline {
  /** Clip i shows its file from `inS` for `outS` seconds, at `startS`..`endS` on the film; `transition`: into the next clip (the last one's is a cut of 0). */
  segments: Array<{ inS: number; startS: number; outS: number; endS: number; transition: { kind: TransitionKind; s: number } }>;
  crossfadeS: number;
  totalS: number;
  musicFadeOut: { startS: number; durationS: number };
}

/**
 * The export's timeline: the cut plan's, as the players show it. Only when a downloaded file turns
 * out shorter than the plan says (the stored length was wrong) is that clip shown for what the file
 * holds, and the clips after it move up by the same rule the plan lays them out with.
 */
export function renderTimeline(plan: Pick<CutPlan, 'segments' | 'crossfadeS'>, fileLengthsS: number[]): RenderTimeline {
  const outs = plan.segments.map((s, i) => Math.min(s.outS, Math.max(0, (fileLengthsS[i] ?? s.inS + s.outS) - s.inS)));
  const fits = outs.every((o, i) => o === plan.segments[i]!.outS);
  const crossfadeS = fits ? plan.crossfadeS : crossfadeFor(outs, plan.crossfadeS);
  // A shorter file shortens the transitions either side of it as the plan would have: the film-wide
  // crossfade by the shortest clip, a cut's own by half the shorter of its two clips.
  const transitions = plan.segments.map((s, i) => {
    const t = s.transition ?? { kind: 'crossfade' as TransitionKind, s: plan.crossfadeS };
    if (fits || i === outs.length - 1) return t;
    if (t.kind === 'crossfade' && t.s === plan.crossfadeS) return { kind: t.kind, s: crossfadeS };
    const len = roundS(Math.min(t.s, longestBetween(outs[i]!, outs[i + 1]!)));
    return { kind: len > 0 ? t.kind : ('cut' as TransitionKind), s: len };
  });
  const placed = fits ? plan.segments : layOut(outs, transitions.map((t) => t.s));
  const segments = placed.map(({ startS, outS, endS }, i) => ({ inS: plan.segments[i]!.inS, startS, outS, endS, transition: transitions[i]! }));
  const totalS = segments[segments.length - 1]?.endS ?? 0;
  return { segments, crossfadeS, totalS, musicFadeOut: musicFadeOut(totalS) };
}
