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
}

/** What the export page shows: plain data, signed URLs, never storage keys. */
export interface ExportStatusView {
  projectId: string;
  projectTitle: string;
  clipCount: number;
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
    };
  }
  const running = latest?.status === 'queued' || latest?.status === 'rendering';
  return {
    projectId: project.id,
    projectTitle: project.title,
    clipCount: source.clipCount,
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
