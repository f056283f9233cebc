import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportStatusView } from '../../src/export/status.js';
import { sourceHash } from '../../src/export/service.js';
import { setBeatSync } from '../../src/beats/service.js';
import { planCuts } from '../../src/film/plan.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { createUser } from '../factories.js';
import { runExportDrift } from './beat-export.js';

let tc: TestContext;
beforeAll(async () => {
  tc = await createTestContext();
});
afterAll(async () => {
  await tc?.close();
});

const FRAME_S = 1 / 30;

describe('beat-synced export', () => {
  it('puts every cut found in the exported file within one frame of the plan, and goes out of date when cut on the beat changes', async () => {
    const user = await createUser(tc.ctx.db);
    const r = await runExportDrift(tc.ctx, user.id);
    expect(r.colours).toEqual(['red', 'green', 'blue', 'amber']);
    expect(r.fps).toBe(30);
    expect(r.errors).toHaveLength(3);
    for (const e of r.errors) {
      expect(e.seenS).not.toBeNull();
      expect(Math.abs(e.errorMs!)).toBeLessThanOrEqual(FRAME_S * 1000);
    }
    expect(r.durationS).toBeCloseTo(r.plan.totalS, 1);

    // The cut plan is part of what an export is made of: turning cut on the beat off (every clip
    // whole) makes this export out of date; turning it back on makes it current again.
    const status = async () => {
      const project = await tc.ctx.db.selectFrom('projects').selectAll().where('id', '=', r.projectId).executeTakeFirstOrThrow();
      return (await exportStatusView(tc.ctx, project)).download?.outOfDate;
    };
    expect(await status()).toBe(false);
    await setBeatSync(tc.ctx.db, r.projectId, false, 'beat');
    expect(await status()).toBe(true);
    await setBeatSync(tc.ctx.db, r.projectId, true, 'beat');
    expect(await status()).toBe(false);
  }, 180_000); // exports render at 1280×720 at least (the clips are 320×180)

  it('hashes the shown length of every clip', () => {
    const clips = [{ id: 'a', video_key: 'clips/a.mp4', position: 0 }, { id: 'b', video_key: 'clips/b.mp4', position: 1 }];
    const plan = (cutOnBeat: boolean) =>
      planCuts({ clips: [{ id: 'a', durationS: 3 }, { id: 'b', durationS: 3 }], beats: [0.37, 0.87, 1.37, 1.87, 2.37, 2.87], downbeats: [], musicDurationS: 6, cutOnBeat, mode: 'beat' });
    expect(plan(true).segments[0]!.outS).not.toBe(plan(false).segments[0]!.outS);
    expect(sourceHash(clips, 'music/x.mp3', plan(true))).not.toBe(sourceHash(clips, 'music/x.mp3', plan(false)));
    expect(sourceHash(clips, 'music/x.mp3', plan(true))).toBe(sourceHash(clips, 'music/x.mp3', plan(true)));
  });
});
