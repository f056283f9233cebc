import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftMarkLayout, isInk } from '../../src/export/draft-mark.js';
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

// A real export with a free draft and an AI take, its frames read back: the mark's pixels are there on the draft only.
describe('the draft mark in an exported film', () => {
  let tc: TestContext;
  beforeAll(async () => {
    tc = await createTestContext();
  });
  afterAll(async () => {
    await tc?.close();
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
