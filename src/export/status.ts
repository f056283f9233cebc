import type { AppContext } from '../platform/context.js';
import type { ExportFileInfo, ExportResolution, ExportRow, ExportShape, Project } from '../platform/db-types.js';
import { bytes, clock, date } from '../platform/format.js';
import { rateValue } from '../platform/media-probe.js';
import { ratioLabel } from '../projects/labels.js';
import { aboutDuration, renderEstimateS } from './estimate.js';
import { AUDIO_KBPS, DEFAULT_OPTIONS, frameSize, RESOLUTIONS, shapeLabel, SHAPES, videoMaxKbps, type ExportOptions } from './options.js';
import { findLatestExport, findLatestStoredExport } from './queries.js';
import { EXPORT_GAVE_UP } from './runner.js';
import { currentSourceHash } from './service.js';

export interface ExportDownload {
  url: string;
  fileName: string;
  sizeLabel: string;
  durationLabel: string;
  createdAt: string;
  createdLabel: string;
  outOfDate: boolean;
  /** "1080p · Portrait 9:16" */
  optionsLabel: string;
  /** The file as ffprobe read it: "1920 × 1080", "24 fps", "H.264 High, 4.6 Mb/s", "AAC stereo, 48 kHz"; empty for older exports. */
  properties: string[];
  /** How long it took to render, when known. */
  renderLabel: string;
  /** The film's clips (1 = the first) that are free drafts in this file; known while it is up to date. */
  drafts: number[] | null;
  draftNote: string | null;
}

/** One choice's specs, shown before starting (the page shows the one matching the chosen options). */
export interface ExportSpec {
  key: string;
  frame: string;
  bitrate: string;
  sizeLabel: string;
  timeLabel: string;
}

/** What the export page shows: plain data, signed URLs, never storage keys. */
export interface ExportStatusView {
  projectId: string;
  projectTitle: string;
  clipCount: number;
  /** The choices of the Export form (the last export's preselected) and what each makes. */
  form: {
    resolutions: Array<{ value: ExportResolution; label: string; checked: boolean }>;
    shapes: Array<{ value: ExportShape; label: string; checked: boolean }>;
    specs: ExportSpec[];
  };
  /** The clips of the film as it stands (1 = the first) that would go in as free drafts. */
  drafts: number[];
  draftNote: string | null;
  /** The latest export, whatever its state; null before the first one. */
  current: {
    id: string;
    status: ExportRow['status'];
    optionsLabel: string;
    /** Queued behind the person's export of another project (one runs at a time). */
    waitingTurn: boolean;
    /** While rendering: "about 20 seconds" left; null when too early to tell. */
    timeLeft: string | null;
    progressPct: number;
    errorMessage: string | null;
    /** While queued or rendering: a failure of ours is being tried again (what to tell the person). */
    retrying: string | null;
    /** Failed on our side after the last try: nothing for the person to change. */
    ours: boolean;
  } | null;
  /** The newest downloadable file: the current export's, or the previous one while a new one runs or after it failed. */
  download: ExportDownload | null;
  polling: boolean;
  /** A refusal or notice from the last action (already running, nothing to export). */
  notice: string | null;
}

/** `<title>.mp4`, with characters file systems dislike replaced. */
/** "clip 2", "clips 1 and 3", "clips 1, 2 and 5": which clips of the film are drafts. */
export function clipNumbers(numbers: number[]): string {
  if (numbers.length === 1) return `clip ${numbers[0]}`;
  return `clips ${numbers.slice(0, -1).join(', ')} and ${numbers[numbers.length - 1]}`;
}

/** Says plainly which clips of a film of `total` are free drafts (null: none is). */
export function draftNote(drafts: number[] | null, total: number): string | null {
  if (!drafts || drafts.length === 0) return null;
  const which = drafts.length === total ? (total === 1 ? 'Its one clip is a free draft' : `All ${total} clips are free drafts`) : `${clipNumbers(drafts)} of ${total} ${drafts.length === 1 ? 'is a free draft' : 'are free drafts'}`;
  return `${which[0]!.toUpperCase()}${which.slice(1)}: a slow pan and zoom, not yet animated with AI.`;
}

export function downloadName(title: string): string {
  const clean = title.replace(/[\\/:*?"<>|\x00-\x1f\x7f]+/g, '-').replace(/\s+/g, ' ').trim().slice(0, 100);
  return `${clean || 'Echoes export'}.mp4`;
}

const resolutionLabel = (r: ExportResolution) => `${r}p`;

export function optionsLabel(o: ExportOptions, project: Pick<Project, 'ratio'>): string {
  return `${resolutionLabel(o.resolution)} · ${o.shape === 'project' ? ratioLabel(project.ratio) : shapeLabel(o.shape, '')}`;
}

const mbps = (kbps: number) => `${(kbps / 1000).toFixed(1)} Mb/s`;
const fpsLabel = (rate: string) => {
  const fps = rateValue(rate);
  return `${Number.isInteger(fps) ? fps : fps.toFixed(2)} fps`;
};

/** The file's real properties, as a person reads them. */
export function propertiesOf(info: ExportFileInfo | null): string[] {
  if (!info) return [];
  const codec = (c: string) => ({ h264: 'H.264', aac: 'AAC', hevc: 'HEVC' })[c] ?? c.toUpperCase();
  const channels = info.audioChannels === 2 ? 'stereo' : info.audioChannels === 1 ? 'mono' : `${info.audioChannels} channels`;
  return [
    `${info.width} × ${info.height}`,
    fpsLabel(info.frameRate),
    `${codec(info.videoCodec)}${info.videoProfile ? ` ${info.videoProfile}` : ''}, ${mbps(info.videoKbps)}`,
    `${codec(info.audioCodec)} ${channels}, ${info.audioSampleRate / 1000} kHz`,
  ];
}

/** What each choice makes, for a film `totalS` long: frame, bitrate cap, size at most, time to render. */
async function specsFor(ctx: AppContext, project: Project, totalS: number): Promise<ExportSpec[]> {
  const estimates = new Map<ExportResolution, number>();
  for (const r of RESOLUTIONS) estimates.set(r, await renderEstimateS(ctx.db, r, totalS));
  return RESOLUTIONS.flatMap((resolution) =>
    SHAPES.map((shape) => {
      const size = frameSize({ resolution, shape }, project.ratio);
      // Frame rates above 30 are rare (every provider makes 24 or 30): the cap for up to 30 fps.
      const kbps = videoMaxKbps(size, resolution, 30);
      return {
        key: `${resolution} ${shape}`,
        frame: `${size.width} × ${size.height}`,
        bitrate: `H.264 up to ${mbps(kbps)}, AAC ${AUDIO_KBPS} kb/s`,
        sizeLabel: `at most ${bytes(((kbps + AUDIO_KBPS) * 1000 * totalS) / 8)}`,
        timeLabel: aboutDuration(estimates.get(resolution)!),
      };
    }),
  );
}

/** Seconds left of a rendering export: its pace so far, or the estimate before there is one. */
async function timeLeft(ctx: AppContext, exp: ExportRow, totalS: number): Promise<string | null> {
  if (exp.status !== 'rendering' || !exp.started_at) return null;
  const elapsedS = (Date.now() - exp.started_at.getTime()) / 1000;
  const left = exp.progress >= 0.05 ? (elapsedS * (1 - exp.progress)) / exp.progress : (await renderEstimateS(ctx.db, exp.resolution, totalS)) - elapsedS;
  return left > 0 ? `${aboutDuration(left)} left` : 'almost done';
}

export async function exportStatusView(ctx: AppContext, project: Project, notice: string | null = null): Promise<ExportStatusView> {
  const [latest, stored, source] = await Promise.all([
    findLatestExport(ctx.db, project.id),
    findLatestStoredExport(ctx.db, project.id),
    currentSourceHash(ctx, project),
  ]);
  const chosen: ExportOptions = latest ? { resolution: latest.resolution, shape: latest.shape } : DEFAULT_OPTIONS;
  const form = {
    resolutions: RESOLUTIONS.map((value) => ({ value, label: resolutionLabel(value), checked: value === chosen.resolution })),
    shapes: SHAPES.map((value) => ({ value, label: shapeLabel(value, ratioLabel(project.ratio)), checked: value === chosen.shape })),
    specs: source.clipCount > 0 ? await specsFor(ctx, project, source.totalS) : [],
  };
  let download: ExportDownload | null = null;
  if (stored?.object_key) {
    const fileName = downloadName(project.title);
    download = {
      url: await ctx.storage.signedUrl(stored.object_key, { downloadName: fileName }),
      fileName,
      sizeLabel: stored.size_bytes === null ? '' : bytes(stored.size_bytes),
      durationLabel: clock(stored.duration_s),
      createdAt: stored.created_at.toISOString(),
      createdLabel: date(stored.created_at),
      outOfDate: stored.source_hash !== source.hash,
      optionsLabel: optionsLabel(stored, project),
      properties: propertiesOf(stored.file_info),
      renderLabel: stored.render_s === null ? '' : `rendered in ${Math.max(1, Math.round(stored.render_s))} s`,
      drafts: stored.source_hash === source.hash ? source.draftNumbers : null,
      draftNote: stored.source_hash === source.hash ? draftNote(source.draftNumbers, source.clipCount) : null,
    };
  }
  const running = latest?.status === 'queued' || latest?.status === 'rendering';
  return {
    projectId: project.id,
    projectTitle: project.title,
    clipCount: source.clipCount,
    form,
    drafts: source.draftNumbers,
    draftNote: draftNote(source.draftNumbers, source.clipCount),
    current: latest
      ? {
        id: latest.id,
        status: latest.status,
        optionsLabel: optionsLabel(latest, project),
        waitingTurn: latest.status === 'queued' && latest.dispatched_at === null,
        timeLeft: await timeLeft(ctx, latest, source.totalS),
        progressPct: Math.floor(latest.progress * 100),
        errorMessage: latest.error_message,
        retrying: running ? latest.error_message : null,
        ours: latest.status === 'error' && latest.error_message === EXPORT_GAVE_UP,
      }
      : null,
    download,
    polling: running,
    notice,
  };
}
