import type { AppContext } from '../platform/context.js';
import type { ExportRow, Project } from '../platform/db-types.js';
import { bytes, clock, date } from '../platform/format.js';
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
  /** The film's clips (1 = the first) that are free drafts in this file; known while it is up to date. */
  drafts: number[] | null;
  draftNote: string | null;
}

/** What the export page shows: plain data, signed URLs, never storage keys. */
export interface ExportStatusView {
  projectId: string;
  projectTitle: string;
  clipCount: number;
  /** The clips of the film as it stands (1 = the first) that would go in as free drafts. */
  drafts: number[];
  draftNote: string | null;
  /** The latest export, whatever its state; null before the first one. */
  current: {
    id: string;
    status: ExportRow['status'];
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

export async function exportStatusView(ctx: AppContext, project: Project, notice: string | null = null): Promise<ExportStatusView> {
  const [latest, stored, source] = await Promise.all([
    findLatestExport(ctx.db, project.id),
    findLatestStoredExport(ctx.db, project.id),
    currentSourceHash(ctx, project),
  ]);
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
      drafts: stored.source_hash === source.hash ? source.draftNumbers : null,
      draftNote: stored.source_hash === source.hash ? draftNote(source.draftNumbers, source.clipCount) : null,
    };
  }
  const running = latest?.status === 'queued' || latest?.status === 'rendering';
  return {
    projectId: project.id,
    projectTitle: project.title,
    clipCount: source.clipCount,
    drafts: source.draftNumbers,
    draftNote: draftNote(source.draftNumbers, source.clipCount),
    current: latest
      ? {
        id: latest.id,
        status: latest.status,
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
