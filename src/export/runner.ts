import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AppContext } from '../platform/context.js';
import { withTx } from '../platform/db.js';
import type { ExportRow, Project } from '../platform/db-types.js';
import type { Logger } from '../platform/logger.js';
import { renderTimeline } from '../film/render-timeline.js';
import { findProjectForUser } from '../projects/queries.js';
import { storageKeys } from '../storage/index.js';
import { hasXfade, probeMedia } from './probe.js';
import { gaveUpMessage, RETRYING_MESSAGE } from '../platform/job-retry.js';
import { isMissingObject } from '../platform/storage.js';
import { clearExportObjects, findExport, lockOtherExportObjects, markError, markReady, markRendering, markRetrying, setProgress } from './queries.js';
import { buildRender, runRender, type RenderClip } from './render.js';
import { clipFocus } from './focus.js';
import { draftMarkPng } from './draft-mark.js';
import { probeFileInfo } from './file-info.js';
import { filmFrameRate, frameSize, videoMaxKbps } from './options.js';
import { exportSource } from './service.js';

/** A problem the creator can fix, told as what to change (shown on the export page as is); never retried. */
export class ExportFailure extends Error {}

export const EXPORT_GAVE_UP = gaveUpMessage('We could not render this export');

/** Temp folders are named after the export, so a test (or an operator) can see none is left. */
export const exportTempPrefix = (exportId: string) => path.join(os.tmpdir(), `echoes-export-${exportId}-`);

/** A stored file that is there but holds no usable stream (damaged): the creator replaces it. */
class UnreadableMedia extends Error {}

async function download(ctx: AppContext, key: string, file: string): Promise<void> {
  await pipeline(await ctx.storage.get(key), createWriteStream(file));
}

/** Progress writes at most once a second (each reaches the owner's open pages through the change feed). */
function progressWriter(ctx: AppContext, exportId: string) {
  let last = 0;
  let pending: Promise<void> = Promise.resolve();
  return (p: number) => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    // Never 1 before the file is stored: 1 means downloadable.
    pending = pending.then(() => setProgress(ctx.db, exportId, Math.min(p, 0.99))).catch(() => {});
  };
}

/**
 * Renders export `exportId` and stores it. Safe to run twice: a finished export is skipped, a
 * rendering one (its worker died) is rendered again. The render reads the project as it is now.
 * A failure of ours (storage, database, ffmpeg crashing or hanging) is thrown for BullMQ to try
 * again, the page saying so meanwhile; on the last try it ends as ours, plainly.
 */
export async function runExport(ctx: AppContext, exportId: string, lastTry = true): Promise<void> {
  const exp = await findExport(ctx.db, exportId);
  if (!exp || exp.status === 'ready' || exp.status === 'error') return;
  const project = await findProjectForUser(ctx.db, exp.user_id, exp.project_id);
  if (!project) return;
  const log = ctx.logger.child({ exportId, projectId: project.id });
  if (!(await markRendering(ctx.db, exportId))) return;

  const dir = await mkdtemp(exportTempPrefix(exportId));
  const started = Date.now();
  try {
    const done = await render(ctx, exp, project, dir, log);
    log.info({ ms: Date.now() - started, bytes: done.size_bytes, durationS: done.duration_s }, 'export ready');
  } catch (err) {
    if (err instanceof ExportFailure) {
      await markError(ctx.db, exportId, err.message);
      log.warn({ reason: err.message }, 'export failed');
      return;
    }
    log.error({ err, lastTry }, 'export failed on our side');
    if (lastTry) await markError(ctx.db, exportId, EXPORT_GAVE_UP);
    else await markRetrying(ctx.db, exportId, RETRYING_MESSAGE);
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function render(ctx: AppContext, exp: ExportRow, project: Project, dir: string, log: Logger) {
  const started = Date.now();
  const { ffmpeg, ffprobe } = ctx.ffmpeg;
  if (!(await hasXfade(ffmpeg))) {
    throw new ExportFailure(`Exports need an ffmpeg with the xfade filter (4.3 or newer); "${ffmpeg}" lacks it. Set FFMPEG_PATH to a newer ffmpeg.`);
  }
  // The clips and the same cut plan as the player (beat sync), read once: the hash describes what is rendered.
  const { clips, plan: cuts, hash } = await exportSource(ctx, project);
  if (clips.length === 0) throw new ExportFailure('There are no approved clips to export any more.');

  const inputs: Array<RenderClip & { durationS: number }> = [];
  for (const [i, clip] of clips.entries()) {
    const file = path.join(dir, `clip-${i}.mp4`);
    try {
      await download(ctx, clip.video_key, file);
      const info = await probeMedia(ffprobe, file).catch((e: Error) => Promise.reject(new UnreadableMedia(e.message)));
      if (info.videoStreams === 0 || info.durationS <= 0) throw new UnreadableMedia('no video stream');
      inputs.push({ path: file, durationS: info.durationS, width: info.width, height: info.height, fps: info.fps, focus: clipFocus(clip), draft: clip.take_kind === 'draft' });
    } catch (err) {
      if (!isMissingObject(err) && !(err instanceof UnreadableMedia)) throw err; // storage unreachable: ours
      log.warn({ clipId: clip.id, err: (err as Error).message }, 'export: clip unreadable');
      throw new ExportFailure(`Clip ${i + 1} could not be read: its video file is missing or damaged. Regenerate or remove it and try again.`);
    }
  }

  let musicPath: string | null = null;
  if (project.music_key) {
    musicPath = path.join(dir, `music${path.extname(project.music_key) || '.audio'}`);
    try {
      await download(ctx, project.music_key, musicPath);
      const info = await probeMedia(ffprobe, musicPath).catch((e: Error) => Promise.reject(new UnreadableMedia(e.message)));
      if (info.audioStreams === 0) throw new UnreadableMedia('no audio stream');
    } catch (err) {
      if (!isMissingObject(err) && !(err instanceof UnreadableMedia)) throw err;
      log.warn({ err: (err as Error).message }, 'export: music unreadable');
      throw new ExportFailure('The music file could not be read. Replace or remove the music and try again.');
    }
  }

  // The player's timeline: each clip shown for its planned length (never more than its file holds).
  const timeline = renderTimeline(cuts, inputs.map((i) => i.durationS));
  const output = path.join(dir, 'export.mp4');
  const options = { resolution: exp.resolution, shape: exp.shape };
  const size = frameSize(options, project.ratio);
  const { rate, fps } = filmFrameRate(inputs.map((c, i) => ({ fps: c.fps, shownS: timeline.segments[i]!.outS })));
  const maxKbps = videoMaxKbps(size, options.resolution, fps);
  // A film with free drafts says so in the file: each draft clip carries a small "DRAFT" mark.
  let draftMark: { path: string; x: number; y: number } | undefined;
  if (inputs.some((c) => c.draft)) {
    const { png, layout } = await draftMarkPng(size.width, size.height);
    draftMark = { path: path.join(dir, 'draft-mark.png'), x: layout.x, y: layout.y };
    await writeFile(draftMark.path, png);
  }
  const plan = buildRender({ clips: inputs, timeline, musicPath, ...size, frameRate: rate, maxKbps, output, draftMark });
  log.info({ clips: inputs.length, drafts: inputs.filter((c) => c.draft).length, music: Boolean(musicPath), totalS: plan.totalS, ...size, rate, maxKbps }, 'export rendering');
  // Generous: a slow machine renders several times slower than real time; a hung ffmpeg is killed.
  const signal = AbortSignal.timeout(10 * 60_000 + plan.totalS * 10_000);
  try {
    await runRender(ffmpeg, plan, { onProgress: progressWriter(ctx, exp.id), signal });
  } catch (err) {
    // A hung ffmpeg is ours: the next try starts afresh.
    if (signal.aborted) throw new Error(`export render timed out after ${Math.round(plan.totalS)} s of film`);
    throw err;
  }

  const info = await probeFileInfo(ffprobe, output);
  if (!info) throw new Error('the rendered file does not have one video and one audio stream');
  const key = storageKeys.export(project.user_id, project.id, exp.id);
  await ctx.storage.put(key, createReadStream(output), 'video/mp4');
  const renderS = Math.round((Date.now() - started) / 100) / 10;
  const done = { object_key: key, size_bytes: (await stat(output)).size, duration_s: info.durationS, source_hash: hash, render_s: renderS, file_info: info };

  // The new file replaces the previous one: forget the old keys in the same transaction, delete after.
  let replaced: string[] | null;
  try {
    replaced = await withTx(ctx.db, async (tx) => {
      if (!(await markReady(tx, exp.id, done))) return null;
      const old = await lockOtherExportObjects(tx, project.id, exp.id);
      await clearExportObjects(tx, old.map((o) => o.id));
      return old.map((o) => o.object_key);
    });
  } catch (err) {
    // No row will point at the stored file: remove it rather than leave an orphan.
    await ctx.storage.delete(key).catch((e) => log.warn({ err: e, key }, 'export: stored file not deleted'));
    throw err;
  }
  if (replaced === null) {
    await ctx.storage.delete(key); // the export (or its project) was deleted while rendering
    return done;
  }
  await ctx.storage.deleteMany(replaced).catch((err) => log.warn({ err, keys: replaced }, 'export: old file not deleted'));
  return done;
}
