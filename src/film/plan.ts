/**
 * THE cut plan: where each clip starts on the film's timeline and how much of it is shown. The
 * player and the export both follow it, so what is exported is what was previewed. Pure.
 *
 * Contract
 * - One timeline: the music's clock. The first clip starts at 0 together with the music.
 * - Segment i shows `outS` seconds of clip i's take from `inS` (the clip's trim in point) from
 *   `startS` to `endS = startS + outS` on the timeline; `inS + outS` ≤ the trim's out point ≤ the take.
 * - Consecutive clips overlap by the crossfade: `segments[i+1].startS = segments[i].endS - crossfadeS`.
 *   The transition from clip i to i+1 runs over [segments[i+1].startS, segments[i].endS].
 * - THE CUT is the transition's MIDPOINT: `cutS = endS - crossfadeS / 2`. That is what lands on a
 *   beat. (crossfadeS = 0 means a hard cut at endS.) The last clip has no cut (`cutS` null) and is
 *   shown whole; the film ends at `totalS` = its endS.
 * - The crossfade is CROSSFADE_S, but never more than half of the shortest clip (crossfadeFor).
 * - Trim (POST /clips/:id/trim) belongs to the clip: the part of the take [trimInS, trimOutS] the
 *   film may use. A trim that no longer fits the chosen take (a shorter take chosen since) is
 *   clamped to it; one that leaves less than MIN_TRIM_S is dropped (the whole take plays).
 * - Export: trim clip i to [inS, inS + outS], `xfade=duration=crossfadeS:offset=segments[i+1].startS`
 *   (render-timeline.ts). Player: start clip i+1 (its fade-in) when the music clock reaches
 *   `segments[i+1].startS`, finish the fade over crossfadeS, drop clip i at its `endS`
 *   (playlist.ts gives it `startS`/`outS`). Neither re-derives them from clip lengths.
 *
 * Rules (cut on the beat)
 * - Each clip's cut goes to the LATEST grid time (beat, or bar start in `downbeat` mode) that is no
 *   later than its natural cut (the cut if the clip were shown whole), so a clip is only ever
 *   trimmed, never extended, and shows at least MIN_SHOWN_S (or all of itself when shorter).
 * - In `downbeat` mode a clip too short to reach a bar start cuts on a beat instead; a clip that
 *   cannot reach any beat (too short, or past the end of the music) is shown whole.
 * - Even cuts (`evenCuts`: cut on the beat is on but the track has no clear beat): every clip but
 *   the last is shown for the same length, the shortest clip's, so the cuts keep an even pace.
 * - Cut on the beat off, or no beats otherwise (no music, not analysed yet): every clip whole,
 *   `aligned` false, with a `note` saying why.
 */

import { CROSSFADE_S, crossfadeFor, endOf, nextStartS, roundS as round } from './timeline.js';
import { beatLengthS, longestBetween, wantedLengthS, type TransitionSpec } from '../transitions/kinds.js';
import type { TransitionKind } from '../platform/db-types.js';
import { count } from '../platform/format.js';

export { CROSSFADE_S };

export type CutMode = 'beat' | 'downbeat';

export interface PlanClip {
  id: string;
  /** The chosen take's length. */
  durationS: number;
  /** The clip's trim: the part of the take the film may use (defaults: the whole take). */
  trimInS?: number;
  trimOutS?: number | null;
  /** The transition into the next clip (transition.ts); none is the film-wide crossfade of `crossfadeS`. */
  transition?: TransitionSpec;
}

export interface PlanInput {
  clips: PlanClip[];
  /** Beat times (s) on the music's clock, ascending. Empty: no beat sync. */
  beats: number[];
  /** Bar starts (s), a subset of beats. */
  downbeats: number[];
  musicDurationS: number | null;
  cutOnBeat: boolean;
  mode: CutMode;
  /** The transition length; defaults to CROSSFADE_S (capped at half the shortest clip). */
  crossfadeS?: number;
  /** No beats to follow (the track has no clear beat): cut at an even pace instead. */
  evenCuts?: boolean;
}

export interface Segment {
  clipId: string;
  index: number;
  /** When the clip appears (its fade-in begins) on the timeline. */
  startS: number;
  /** Where in the take the clip is shown from: its trim in point. */
  inS: number;
  /** How much of the clip is shown, fades included. */
  outS: number;
  /** startS + outS: when its fade-out has finished. */
  endS: number;
  /** The midpoint of the transition to the next clip; null for the last clip. */
  cutS: number | null;
  /** What the cut landed on. */
  snappedTo: CutMode | null;
  /** The chosen take's length, and the part of it the clip's trim allows (clamped to the take). */
  takeS: number;
  trimInS: number;
  trimOutS: number;
  /** The transition into the next clip and its length (the overlap); the last clip's is a cut of 0. */
  transition: { kind: TransitionKind; s: number };
}

export interface CutPlan {
  segments: Segment[];
  totalS: number;
  crossfadeS: number;
  /** True when cuts were placed on the music's beats. */
  aligned: boolean;
  note?: string;
}

/** A clip keeps at least this much when trimmed to a beat (or all of itself when shorter). */
export const MIN_SHOWN_S = 1;
/** A trim keeps at least this much of a take. */
export const MIN_TRIM_S = 0.5;
const EPS = 1e-6;

/** The part of a take a clip's trim allows: clamped to the take, or all of it when too little is left. */
export function trimWithin(clip: PlanClip): { inS: number; outS: number } {
  const take = Math.max(0, clip.durationS);
  const inS = Math.max(0, clip.trimInS ?? 0);
  const outS = Math.min(take, clip.trimOutS ?? take);
  if (outS - inS < Math.min(MIN_TRIM_S, take) - EPS) return { inS: 0, outS: take };
  return { inS: round(inS), outS: round(outS) };
}

/** The latest time in ascending `grid` within [from, to], or null. */
function latestIn(grid: number[], from: number, to: number): number | null {
  let lo = 0;
  let hi = grid.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (grid[mid]! <= to + EPS) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found >= 0 && grid[found]! >= from - EPS ? grid[found]! : null;
}

export function planCuts(input: PlanInput): CutPlan {
  // Every time is on a microsecond grid, so startS, outS and endS add up exactly as the contract says.
  const trims = input.clips.map(trimWithin);
  const usable = trims.map((t) => round(t.outS - t.inS));
  const fade = crossfadeFor(usable, input.crossfadeS ?? CROSSFADE_S);
  // Each cut's own transition, capped by its two clips; a clip without one keeps the film-wide crossfade.
  const beatS = beatLengthS(input.beats);
  const transitions = input.clips.map((clip, i) => {
    if (i + 1 >= input.clips.length) return { kind: 'cut' as TransitionKind, s: 0 };
    if (!clip.transition) return { kind: 'crossfade' as TransitionKind, s: fade };
    const s = Math.min(wantedLengthS(clip.transition, beatS), longestBetween(usable[i]!, usable[i + 1]!));
    return { kind: s > 0 ? clip.transition.kind : ('cut' as TransitionKind), s: round(s) };
  });
  const musicEnd = input.musicDurationS ?? Infinity;
  const beats = input.beats.filter((b) => b >= 0 && b <= musicEnd);
  const bars = input.downbeats.filter((b) => b >= 0 && b <= musicEnd);
  const sync = input.cutOnBeat && beats.length > 0;
  const even = input.cutOnBeat && !sync && input.evenCuts && input.clips.length > 1 ? Math.min(...usable) : null;
  const segments: Segment[] = [];
  let start = 0;
  let missed = 0;

  input.clips.forEach((clip, index) => {
    const length = usable[index]!;
    const trim = trims[index]!;
    const last = index === input.clips.length - 1;
    const fadeIn = index > 0 ? transitions[index - 1]!.s : 0;
    const fade = transitions[index]!.s;
    // Shown at least long enough for its fade in and its fade out, which never overlap each other.
    const least = Math.min(length, Math.max(MIN_SHOWN_S, fadeIn + fade));
    let out = length;
    let snappedTo: CutMode | null = null;
    if (sync && !last) {
      const natural = start + length - fade / 2;
      const earliest = start + least - fade / 2;
      const onBar = input.mode === 'downbeat' ? latestIn(bars, earliest, natural) : null;
      const onBeat = onBar ?? latestIn(beats, earliest, natural);
      if (onBeat !== null) {
        out = Math.min(length, onBeat + fade / 2 - start);
        snappedTo = onBar !== null ? 'downbeat' : 'beat';
      } else {
        missed++;
      }
    } else if (even !== null && !last) {
      out = Math.min(length, Math.max(even, least));
    }
    out = Math.min(round(out), Math.floor(length * 1e6) / 1e6);
    const end = endOf(start, out);
    segments.push({
      clipId: clip.id, index, startS: start, inS: trim.inS, outS: out, endS: end, cutS: last ? null : round(end - fade / 2), snappedTo,
      takeS: Math.max(0, clip.durationS), trimInS: trim.inS, trimOutS: trim.outS, transition: transitions[index]!,
    });
    start = nextStartS(end, fade);
  });

  const totalS = segments.length ? segments[segments.length - 1]!.endS : 0;
  const plan: CutPlan = { segments, totalS, crossfadeS: fade, aligned: sync };
  if (!input.cutOnBeat) plan.note = 'Cut on the beat is off: clips play whole.';
  else if (even !== null) plan.note = `No clear beat to cut to: clips are cut evenly, every ${round(even)} s.`;
  else if (!sync) plan.note = 'No beats to cut to: clips play whole.';
  else if (missed > 0) plan.note = `${count(missed, 'cut')} could not land on the beat (a clip too short, or past the end of the music).`;
  return plan;
}
