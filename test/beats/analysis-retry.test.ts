import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAnalysis } from '../../src/beats/queries.js';
import { enqueueAnalysis } from '../../src/beats/service.js';
import { startWorkers, type RunningWorkers } from '../../src/worker.js';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { withUnreachableStorage } from '../setup/unreachable-storage.js';
import { waitFor } from '../setup/wait.js';
import { ADMIN_PASSWORD, adminBrowser } from '../factories/admin.js';
import { createProject, createUser } from '../factories.js';
import { attachMusic, clickTrack } from '../factories/beats.js';

// Issue 24.3: a failure of ours is retried by BullMQ with backoff and the panel says so; after the
// last try the panel says plainly it was ours (never "upload again") and /admin/jobs lists it; a
// file the person must replace fails at once, with what to change, and is never retried.

let t: TestApp;
let owner: TestBrowser;
let userId: string;
let workers: RunningWorkers | undefined;

beforeAll(async () => {
  t = await createTestApp({ ADMIN_PASSWORD });
  userId = (await createUser(t.ctx.db, { email: 'owner@example.com' })).id;
  owner = new TestBrowser(t.app);
  await owner.signInDev('owner@example.com');
});

afterAll(async () => {
  await workers?.close();
  await t?.close();
});

const panel = async (projectId: string) => (await owner.get(`/projects/${projectId}/analysis`, { 'hx-request': 'true' })).body;

describe('beat analysis failing on our side', () => {
  it('is retried with the retrying wording, then ends with the plain final wording and is listed on /admin/jobs', async () => {
    const project = await createProject(t.ctx.db, userId, { title: 'Storage down' });
    await attachMusic(t.ctx, project, await clickTrack({ seconds: 8 }), 8);
    // Real workers on the real queue, whose media store cannot be reached.
    workers = startWorkers(await withUnreachableStorage(t.ctx), { periodic: false });
    expect(await enqueueAnalysis(t.ctx, project.id)).toBe(true);

    // Between tries: back to queued, the panel still waiting, and saying the retry is ours.
    const retrying = await waitFor(async () => {
      const row = await findAnalysis(t.ctx.db, project.id);
      return row?.status === 'queued' && row.attempts >= 1 ? row : undefined;
    }, 'the first try to fail', 20_000, 50);
    expect(retrying.error_message).toMatch(/on our side, so we are trying again automatically/);
    const during = await panel(project.id);
    expect(during).toContain('data-analysis-status="pending"');
    expect(during).toContain('data-retrying');
    expect(during).toContain('we are trying again automatically');

    const final = await waitFor(async () => {
      const row = await findAnalysis(t.ctx.db, project.id);
      return row?.status === 'error' ? row : undefined;
    }, 'the last try to fail', 30_000, 100);
    expect(final.attempts).toBe(3);
    const after = await panel(project.id);
    expect(after).toContain('data-analysis-status="error"');
    expect(after).toContain('We could not analyse this track because of a problem on our side, and trying again automatically did not fix it.');
    expect(after).not.toMatch(/upload (it )?again|to retry|try again/i);

    const failure = await waitFor(
      () => t.ctx.db.selectFrom('job_failures').selectAll().where('queue', '=', 'analysis').executeTakeFirst(),
      'the failure to be recorded', 10_000, 50,
    );
    expect(failure).toMatchObject({ job_name: 'analyse', user_id: userId, attempts: 3 });
    const admin = await adminBrowser(t.app, ADMIN_PASSWORD);
    const jobs = await admin.get('/admin/jobs');
    expect(jobs.statusCode).toBe(200);
    expect(jobs.body).toContain(`data-job-id="${failure!.job_id}"`);
    expect(jobs.body).toContain('owner@example.com');
    await workers.close();
    workers = undefined;
  }, 60_000);
});

describe('beat analysis of a file the person must replace', () => {
  it('fails at once, says what to change, and is not retried or listed', async () => {
    workers = startWorkers(t.ctx, { periodic: false });
    const project = await createProject(t.ctx.db, userId, { title: 'Junk' });
    await attachMusic(t.ctx, project, Buffer.concat([Buffer.from('ID3'), Buffer.alloc(4000, 0x5a)]), 10);
    const before = await t.ctx.db.selectFrom('job_failures').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await enqueueAnalysis(t.ctx, project.id);
    const row = await waitFor(async () => {
      const r = await findAnalysis(t.ctx.db, project.id);
      return r?.status === 'error' ? r : undefined;
    }, 'the analysis to fail', 20_000, 50);
    expect(row.attempts).toBe(1);
    const body = await panel(project.id);
    expect(body).toContain('We could not read this audio file');
    expect(body).toContain('Save it again as MP3 or WAV and upload that.');
    expect(body).not.toContain('on our side');
    // Give a wrongly scheduled retry time to show up: none does.
    await new Promise((r) => setTimeout(r, 2500));
    expect((await findAnalysis(t.ctx.db, project.id))?.attempts).toBe(1);
    const after = await t.ctx.db.selectFrom('job_failures').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  }, 40_000);
});
