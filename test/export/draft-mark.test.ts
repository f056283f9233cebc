import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftMarkLayout, isInk } from '../../src/export/draft-mark.js';
import { buildRender } from '../../src/export/render.js';
import { runExport } from '../../src/export/runner.js';
import { startExport } from '../../src/export/service.js';
import { CROSSFADE_S } from '../../src/film/plan.js';
import { ffmpegPath, run } from '../../src/platform/ffmpeg.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { createUser } from '../factories.js';
import { seedExportProject } from '../factories/export-media.js';
import { localObjectPath } from './helpers.js';

/** One frame of the file at `atS`, as 8-bit luma (W×H bytes). */
async function lumaAt(file: string, atS: number, W: number, H: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const res = await run(ffmpegPath(), ['-hide_banner', '-nostdin', '-loglevel', 'error', '-ss', String(atS), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { onData: (c) => chunks.push(c) });
  if (res.code !== 0) throw new Error(res.stderr);
  const frame = Buffer.concat(chunks);
  expect(frame.length).toBe(W * H);
  return frame;
}

/**
 * The mark as seen in a frame: the luma at the middle of each of the mark's font pixels, split into
 * the letters' pixels (ink) and the plate's.
 */
function markPixels(frame: Buffer, W: number, H: number) {
  const m = draftMarkLayout(W, H);
  const ink: number[] = [];
  const plate: number[] = [];
  for (let row = 1; row < m.height / m.unit - 1; row++) {
    for (let col = 1; col < m.width / m.unit - 1; col++) {
      const x = m.x + col * m.unit + Math.floor(m.unit / 2);
      const y = m.y + row * m.unit + Math.floor(m.unit / 2);
      (isInk(col, row) ? ink : plate).push(frame[y * W + x]!);
    }
  }
  return { ink, plate };
}

describe('the draft mark in an export', () => {
  let tc: TestContext;
  beforeAll(async () => {
    tc = await createTestContext();
  });
  afterAll(async () => {
    await tc?.close();
  });

  it('is one PNG input overlaid on the draft clips only, after the music', () => {
    const clip = (p: string, draft = false) => ({ path: p, width: 320, height: 180, fps: 24, draft });
    const timeline = { segments: [0, 1, 2].map((i) => ({ clipId: `c${i}`, startS: i * 1.5, inS: 0, outS: 2, transition: null })), crossfadeS: 0.5, totalS: 5, musicFadeOut: { startS: 4, durationS: 1 } };
    const mark = { path: 'mark.png', x: 5, y: 5 };
    const plan = buildRender({ clips: [clip('a', true), clip('b'), clip('c', true)], timeline: timeline as never, musicPath: 'song.m4a', width: 320, height: 180, frameRate: '24/1', maxKbps: 1000, output: 'o.mp4', draftMark: mark });
    const graph = plan.args[plan.args.indexOf('-filter_complex') + 1]!;
    expect(graph).toContain('[4:v]split=2[m0][m2]'); // clips 0-2, the song 3, the mark 4
    expect(graph).toContain('[c0][m0]overlay=x=5:y=5');
    expect(graph).toContain('[c2][m2]overlay=x=5:y=5');
    expect(graph).not.toContain('[m1]');
    expect(plan.args.filter((a) => a === 'mark.png')).toHaveLength(1);
    // No draft, no mark.
    const plain = buildRender({ clips: [clip('a'), clip('b'), clip('c')], timeline: timeline as never, musicPath: null, width: 320, height: 180, frameRate: '24/1', maxKbps: 1000, output: 'o.mp4', draftMark: mark });
    expect(plain.args).not.toContain('mark.png');
    expect(plain.args[plain.args.indexOf('-filter_complex') + 1]).not.toContain('overlay');
  });

  it('is burnt into the draft clip\'s frames and absent from the AI take\'s', async () => {
    const { ctx, dataDir } = tc;
    const user = await createUser(ctx.db);
    // Two plain clips, so the mark's pixels stand out: the first plays its free draft, the second an AI take.
    const seeded = await seedExportProject(ctx, user.id, {
      clips: [{ width: 320, height: 180, durationS: 2, colour: '0x4a6fa5' }, { width: 320, height: 180, durationS: 2, colour: '0x4a6fa5' }],
      musicS: 4,
    });
    await ctx.db.updateTable('takes').set({ kind: 'draft', attempt: null, credits_spent: 0, provider: 'local' }).where('clip_id', '=', seeded.clipIds[0]!).execute();
    const project = await ctx.db.selectFrom('projects').selectAll().where('id', '=', seeded.project.id).executeTakeFirstOrThrow();

    const exp = await startExport(ctx, project, { resolution: 720, shape: 'project' });
    await runExport(ctx, exp.id);
    const done = await ctx.db.selectFrom('exports').selectAll().where('id', '=', exp.id).executeTakeFirstOrThrow();
    expect(done.status).toBe('ready');
    const file = localObjectPath(dataDir, done.object_key!);
    const [W, H] = [1280, 720];

    // Mid-draft (before the crossfade): white letters on a dark plate, every font pixel of them.
    const draft = markPixels(await lumaAt(file, 0.5, W, H), W, H);
    expect(draft.ink.length).toBeGreaterThan(40);
    expect(Math.min(...draft.ink)).toBeGreaterThan(200);
    expect(Math.max(...draft.plate)).toBeLessThan(70);

    // Mid-AI take (after the crossfade): the clip's own plain blue, no letters, no plate.
    const ai = markPixels(await lumaAt(file, 2 - CROSSFADE_S + 1.2, W, H), W, H);
    const all = [...ai.ink, ...ai.plate];
    expect(Math.max(...all) - Math.min(...all)).toBeLessThan(12);
    expect(Math.min(...all)).toBeGreaterThan(80);
  }, 240_000);
});
