import type { Conn } from '../platform/db.js';
import type { CutMode, MusicAnalysis, Project } from '../platform/db-types.js';
import { clock, count } from '../platform/format.js';
import { currentAnalysis } from './service.js';
import { poolPeaks } from './dsp/waveform.js';

/** What views/beats/_analysis.eta shows; plain data, SVG geometry included (templates never compute). */
export interface AnalysisView {
  projectId: string;
  /** none: no track; pending: queued or running; then the outcome. */
  state: 'none' | 'pending' | 'ready' | 'no_beat' | 'error';
  polling: boolean;
  /** While pending: a failure of ours is being retried; what to tell the person (else null). */
  retrying: string | null;
  cutOnBeat: boolean;
  cutMode: CutMode;
  tempoLabel: string | null;
  summary: string | null;
  note: string | null;
  errorMessage: string | null;
  svg: { width: number; height: number; wave: string; beats: string; bars: string; grid: string } | null;
}

const W = 1000;
const H = 72;
const BASE = 56; // the wave sits above a ruler of beat ticks

const num = (n: number) => (Math.round(n * 10) / 10).toString();

/**
 * One path of mirrored bars for the peaks; under it a ruler: short ticks for beats, tall ones for
 * bar starts, and faint bar lines across the wave when there are few enough to read.
 */
export function waveformSvg(stored: number[], beats: number[], bars: number[], durationS: number) {
  const peaks = poolPeaks(stored, 200);
  const step = W / Math.max(1, peaks.length);
  const mid = BASE / 2;
  const wave = peaks
    .map((p, i) => {
      const h = Math.max(1, p * (BASE - 6));
      return `M${num(i * step + step * 0.15)} ${num(mid - h / 2)}h${num(step * 0.7)}v${num(h)}h${num(-step * 0.7)}z`;
    })
    .join('');
  const x = (t: number) => num((t / durationS) * W);
  const ticks = (times: number[], top: number) => (durationS > 0 ? times.map((t) => `M${x(t)} ${top}V${H}`).join('') : '');
  // Past ~250 beats (about 2 minutes at 120 BPM) beat ticks smear into grey; bar starts remain.
  return {
    width: W,
    height: H,
    wave,
    beats: beats.length <= 250 ? ticks(beats, H - 6) : '',
    bars: ticks(bars, BASE + 2),
    grid: bars.length <= 48 ? ticks(bars, 0) : '',
  };
}

export function analysisView(project: Pick<Project, 'id' | 'music_key' | 'cut_on_beat' | 'cut_mode'>, row: MusicAnalysis | undefined): AnalysisView {
  const base = { projectId: project.id, cutOnBeat: project.cut_on_beat, cutMode: project.cut_mode, tempoLabel: null, summary: null, note: null, errorMessage: null, svg: null, retrying: null };
  if (!project.music_key) return { ...base, state: 'none', polling: false };
  // A pending row carries a message only while a failure of ours is being tried again.
  if (!row || row.status === 'queued' || row.status === 'running') return { ...base, state: 'pending', polling: true, retrying: row?.error_message ?? null };
  const duration = row.duration_s ?? 0;
  const svg = row.waveform.length ? waveformSvg(row.waveform, row.status === 'ready' ? row.beats : [], row.status === 'ready' ? row.downbeats : [], duration) : null;
  if (row.status === 'error') return { ...base, state: 'error', polling: false, errorMessage: row.error_message ?? 'The track could not be analysed.' };
  if (row.status === 'no_beat') {
    return { ...base, state: 'no_beat', polling: false, svg, summary: clock(duration), note: row.note ?? 'No clear beat: clips will be cut evenly.' };
  }
  return {
    ...base,
    state: 'ready',
    polling: false,
    svg,
    tempoLabel: `${Math.round(row.tempo_bpm ?? 0)} BPM`,
    summary: `${clock(duration)} · ${count(row.beats.length, 'beat')} · ${count(row.downbeats.length, 'bar')}`,
  };
}

/** The view of the project's beat sync, for the beat panel's own answers (the project page reads the row once for its panel and timeline). */
export async function loadAnalysisView(db: Conn, project: Pick<Project, 'id' | 'music_key' | 'cut_on_beat' | 'cut_mode'>): Promise<AnalysisView> {
  return analysisView(project, await currentAnalysis(db, project));
}
