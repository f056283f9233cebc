import type { MusicAnalysis, Project } from '../platform/db-types.js';
import type { CutMode, CutPlan, Segment } from './plan.js';
import { roundS } from './timeline.js';

/** One clip's block on the project page's timeline: the plan's numbers, and what the clip loses. */
export interface TimelineBlock {
  id: string;
  n: number;
  thumbUrl: string | null;
  draft: boolean;
  /** Where the clip starts and ends in the film (data-start-s, data-out-s): the plan's startS and endS. */
  startS: number;
  endS: number;
  /** The part of the take shown: from inS, outS long. */
  inS: number;
  outS: number;
  takeS: number;
  /** The clip's trim (clamped to its take). */
  trimInS: number;
  trimOutS: number;
  /** What the film leaves out: cut away by the creator's trim, and by the cut landing on the beat. */
  trimmedS: number;
  beatCutS: number;
  snappedTo: CutMode | null;
  /** Seconds with two decimals, for the labels. */
  label: { start: string; end: string; shown: string; take: string; trimIn: string; trimOut: string };
  losses: string[];
  /** The beat cut drops most of the clip: the trim that reaches the next bar (or beat), or why there is none. */
  extend: { inS: number; outS: number; to: string } | { none: string } | null;
}

export interface TimelineView {
  projectId: string;
  blocks: TimelineBlock[];
  totalS: number;
  totalLabel: string;
  crossfadeS: number;
  note: string | null;
  cutOnBeat: boolean;
  /** Where trim edges snap when beat sync is on (bar starts, or beats), within the film's span. */
  snap: number[];
  snapTo: 'bar' | 'beat' | null;
  music: { url: string; name: string } | null;
  /** The waveform over the film's span, in SVG units of 1/100 s (viewBox width = totalS × 100). */
  svg: { width: number; height: number; wave: string; beats: string; bars: string } | null;
}

const H = 48;
const s2 = (t: number) => t.toFixed(2);
const u = (t: number) => Math.round(t * 100 * 10) / 10; // SVG units: 1/100 s, one decimal
const EPS = 1e-6;

/** The waveform's peaks, beats and bars that fall within the film, at the film's scale. */
export function timelineSvg(analysis: Pick<MusicAnalysis, 'waveform' | 'beats' | 'downbeats' | 'duration_s' | 'status'>, totalS: number) {
  const d = analysis.duration_s ?? 0;
  if (!analysis.waveform.length || d <= 0 || totalS <= 0) return null;
  const per = d / analysis.waveform.length;
  const wave: string[] = [];
  analysis.waveform.forEach((p, i) => {
    const t = i * per;
    if (t >= totalS) return;
    const h = Math.max(1, p * (H - 8));
    wave.push(`M${u(t + per * 0.1)} ${Math.round((H / 2 - h / 2) * 10) / 10}h${u(Math.min(per * 0.8, totalS - t))}v${Math.round(h * 10) / 10}h${-u(Math.min(per * 0.8, totalS - t))}z`);
  });
  const ready = analysis.status === 'ready';
  const ticks = (times: number[], top: number) => times.filter((t) => t <= totalS).map((t) => `M${u(t)} ${top}V${H}`).join('');
  return { width: u(totalS), height: H, wave: wave.join(''), beats: ready ? ticks(analysis.beats, H - 6) : '', bars: ready ? ticks(analysis.downbeats, 0) : '' };
}

/** The first grid time after `t`, or null. */
const firstAfter = (grid: number[], t: number) => grid.find((g) => g > t + 1e-3) ?? null;

/**
 * Where the beat cut drops most of a clip (more than half of what its trim allows): the trim that
 * makes the clip reach the next grid time instead, using footage the take still has (its trimmed
 * tail, then its head). Never past the take: when it is too short, says so.
 */
export function extensionFor(seg: Segment, plan: Pick<CutPlan, 'crossfadeS'>, grid: number[], gridName: string): TimelineBlock['extend'] {
  if (seg.cutS === null || seg.snappedTo === null) return null;
  const usable = seg.trimOutS - seg.trimInS;
  if (usable - seg.outS <= usable / 2 + EPS) return null;
  const natural = seg.startS + usable - plan.crossfadeS / 2;
  const next = firstAfter(grid, natural);
  const needed = next === null ? Infinity : next + plan.crossfadeS / 2 - seg.startS;
  if (needed > seg.takeS + EPS) return { none: `The take is too short to reach the next ${gridName}.` };
  const outS = Math.min(seg.takeS, Math.ceil((seg.trimInS + needed) * 1000) / 1000);
  const inS = Math.max(0, Math.floor((outS - needed) * 1000) / 1000);
  return { inS, outS, to: gridName };
}

function lossesOf(seg: Segment): string[] {
  const out: string[] = [];
  if (seg.trimInS > EPS) out.push(`${s2(seg.trimInS)} s trimmed from the start`);
  if (seg.takeS - seg.trimOutS > 0.005) out.push(`${s2(seg.takeS - seg.trimOutS)} s trimmed from the end`);
  const beat = seg.trimOutS - seg.trimInS - seg.outS;
  if (beat > 0.005) out.push(`${s2(beat)} s cut to land on the ${seg.snappedTo === 'downbeat' ? 'bar' : 'beat'}`);
  return out;
}

/** The project page's timeline, as plain data: the plan's numbers as they are (never re-derived). */
export function timelineView(
  project: Pick<Project, 'id' | 'cut_on_beat' | 'cut_mode' | 'music_name'>,
  plan: CutPlan,
  clips: Array<{ id: string; thumbUrl: string | null; draft: boolean }>,
  analysis: Pick<MusicAnalysis, 'waveform' | 'beats' | 'downbeats' | 'duration_s' | 'status'> | undefined,
  musicUrl: string | null,
): TimelineView {
  const ready = analysis?.status === 'ready';
  const bars = project.cut_mode === 'downbeat' && ready && analysis.downbeats.length > 0;
  const grid = !ready ? [] : bars ? analysis.downbeats : analysis.beats;
  const gridName = bars ? 'bar' : 'beat';
  const blocks = plan.segments.map((seg, i): TimelineBlock => ({
    id: seg.clipId,
    n: i + 1,
    thumbUrl: clips[i]?.thumbUrl ?? null,
    draft: clips[i]?.draft ?? false,
    startS: seg.startS,
    endS: seg.endS,
    inS: seg.inS,
    outS: seg.outS,
    takeS: seg.takeS,
    trimInS: seg.trimInS,
    trimOutS: seg.trimOutS,
    trimmedS: roundS(seg.takeS - (seg.trimOutS - seg.trimInS)),
    beatCutS: roundS(seg.trimOutS - seg.trimInS - seg.outS),
    snappedTo: seg.snappedTo,
    label: { start: s2(seg.startS), end: s2(seg.endS), shown: s2(seg.outS), take: s2(seg.takeS), trimIn: s2(seg.trimInS), trimOut: s2(seg.trimOutS) },
    losses: lossesOf(seg),
    extend: plan.aligned ? extensionFor(seg, plan, grid, gridName) : null,
  }));
  const span = plan.totalS + 10;
  return {
    projectId: project.id,
    blocks,
    totalS: plan.totalS,
    totalLabel: `${s2(plan.totalS)} s`,
    crossfadeS: plan.crossfadeS,
    note: plan.note ?? null,
    cutOnBeat: project.cut_on_beat && plan.aligned,
    snap: project.cut_on_beat && plan.aligned ? grid.filter((g) => g <= span) : [],
    snapTo: project.cut_on_beat && plan.aligned ? gridName === 'bar' ? 'bar' : 'beat' : null,
    music: musicUrl ? { url: musicUrl, name: project.music_name ?? 'Music' } : null,
    svg: analysis ? timelineSvg(analysis, plan.totalS) : null,
  };
}
