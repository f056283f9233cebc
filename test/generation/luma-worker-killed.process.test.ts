import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { expectLedgerBalanced } from '../factories.js';
import { ADMIN_PASSWORD, adminBrowser } from '../factories/admin.js';
import { balanceOf, latestClip, ledgerFor, uploadClip, waitFor, waitForClipDone } from '../factories/clips.js';
import { creator } from './world.js';
import { startProvidersWorld, type ProvidersWorld } from './luma-world.js';
import { exited, forkWorker, stopAll } from './worker-fork.js';

// The window no idempotency key closes (docs/decisions/0016): Luma has started a generation (201)
// but the worker dies before recording its id. The attempt is submitted again once its claim is
// stale, so Luma holds a generation nobody follows; the admin must be able to see that it happened.

let w: ProvidersWorld;
const children: ChildProcess[] = [];
beforeAll(async () => {
  w = await startProvidersWorld({ ADMIN_PASSWORD });
});
afterAll(async () => {
  await stopAll(children);
  await w?.close();
});
afterEach(async () => {
  await stopAll(children);
  await expectLedgerBalanced(w.t.ctx.db);
});

describe('a worker killed between Luma’s 201 and recording the generation id', () => {
  it('leaves a trace the admin sees; the retry after the stale claim makes the clip with one charge', async () => {
    const { user, project, b } = await creator(w.t, 2);
    const admin = await adminBrowser(w.t.app);
    w.luma.failNext('submit', { status: 201, hold: true });
    const first = await forkWorker(w.t.env, children);
    await uploadClip(b, project.id);
    const clipId = (await latestClip(w.t.ctx.db, project.id)).id;
    const orphan = await waitFor(async () => w.luma.generations.find((g) => w.luma.requests.some((r) => r.method === 'POST' && r.status === -1)) ?? null, 'Luma to start the generation', 20_000);
    first.kill('SIGKILL');
    await exited(first);

    const tries = () => w.t.ctx.db.selectFrom('provider_submissions').select(['provider', 'status', 'task_id', 'reason']).where('clip_id', '=', clipId).orderBy('created_at').execute();
    expect(await tries()).toEqual([{ provider: 'luma', status: 'submitting', task_id: null, reason: null }]);
    expect((await latestClip(w.t.ctx.db, project.id))).toMatchObject({ status: 'generating', provider_task_id: null });

    // A minute later the admin sees the clip among the stuck ones, with the unanswered submission.
    await sql`update provider_submissions set created_at = now() - interval '90 seconds' where clip_id = ${clipId}`.execute(w.t.ctx.db);
    const stuck = await admin.get('/admin/jobs?filter=stuck');
    expect(stuck.body).toContain(`data-clip-id="${clipId}"`);
    expect(stuck.body).toContain('data-try-status="submitting"');

    // Past the 2-minute claim, another worker submits the attempt again: a second generation.
    await sql`update clips set submitted_at = now() - interval '3 minutes' where id = ${clipId}`.execute(w.t.ctx.db);
    await forkWorker(w.t.env, children);
    const clip = await waitForClipDone(w.t.ctx.db, clipId, 40_000);
    expect(clip.status).toBe('ready');
    expect(clip.provider_task_id).not.toBe(orphan.id);
    expect(await tries()).toEqual([
      { provider: 'luma', status: 'vanished', task_id: null, reason: 'submitter_died' },
      { provider: 'luma', status: 'accepted', task_id: clip.provider_task_id, reason: null },
    ]);
    expect((await ledgerFor(w.t.ctx.db, user.id)).filter((l) => l.type === 'generation')).toHaveLength(1);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(1);

    const all = await admin.get('/admin/jobs');
    expect(all.body).toContain(`data-clip-id="${clipId}"`);
    expect(all.body).toContain('data-try-status="vanished"');
  }, 90_000);
});
