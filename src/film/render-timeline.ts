import type { CutPlan } from './plan.js';
import { crossfadeFor, layOut, musicFadeOut } from './timeline.js';

/** What the export renders: each clip's shown length and place, the crossfade and the music's fade-out. */
export interface RenderTimeline {
  /** Clip i shows its file from `inS` for `outS` seconds, at `startS`..`endS` on the film. */
  segments: Array<{ inS: number; startS: number; outS: number; endS: number }>;
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
  const placed = fits ? plan.segments : layOut(outs, crossfadeS);
  const segments = placed.map(({ startS, outS, endS }, i) => ({ inS: plan.segments[i]!.inS, startS, outS, endS }));
  const totalS = segments[segments.length - 1]?.endS ?? 0;
  return { segments, crossfadeS, totalS, musicFadeOut: musicFadeOut(totalS) };
}
