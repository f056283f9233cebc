import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkers, type RunningWorkers } from '../../src/worker.js';
import type { User } from '../../src/platform/db-types.js';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { withUnreachableStorage } from '../setup/unreachable-storage.js';
import { waitFor } from '../setup/wait.js';
import { ADMIN_PASSWORD, adminBrowser } from '../factories/admin.js';
import { createUser } from '../factories.js';
import { seedExportProject } from '../factories/export-media.js';

// Issue 24.3 for exports: storage out of reach is ours (retried, then said plainly, listed for the
// admin); a clip file that is gone is the creator's to fix (at once, what to change, no retry).

const HTMX = { 'hx-request': 'true' };
let t: TestApp;
let owner: User;
let browser: TestBrowser;
let workers: RunningWorkers | undefined;

beforeAll(async () => {
  t = await createTestApp({ ADMIN_PASSWORD });
  owner = await createUser(t.ctx.db, { email: 'export-retry@example.com' });
  browser = new TestBrowser(t.app);
  await browser.signInDev(owner.email);
});
afterAll(async () => {
  await workers?.close();
  await t?.close();
});

const fragment = async (projectId: string) => (await browser.get(`/projects/${projectId}/export`, HTMX)).body;
const exportRow = (projectId: string) => t.ctx.db.selectFrom('exports').selectAll().where('project_id', '=', projectId).executeTakeFirstOrThrow();

describe('an export failing on our side', () => {
  it('is retried saying so, then says plainly it was ours and is listed on /admin/jobs', async () => {
    const seeded = await seedExportProject(t.ctx, owner.id, { clips: [{ width: 160, height: 90, durationS: 1 }], title: 'Storage down' });
    workers = startWorkers(await withUnreachableStorage(t.ctx), { periodic: false });
    expect((await browser.post(`/projects/${seeded.project.id}/export`, {}, HTMX)).statusCode).toBe(200);

    const during = await waitFor(async () => {
      const body = await fragment(seeded.project.id);
      return body.includes('data-retrying') ? body : undefined;
    }, 'the retrying wording', 20_000, 50);
    expect(during).toMatch(/data-export-status="(queued|rendering)"/);
    expect(during).toContain('Something went wrong on our side, so we are trying again automatically.');

    const after = await waitFor(async () => {
      const body = await fragment(seeded.project.id);
      return body.includes('data-export-status="error"') ? body : undefined;
    }, 'the last try to fail', 30_000, 100);
    expect(after).toContain('We could not render this export because of a problem on our side, and trying again automatically did not fix it.');
    expect(after).not.toMatch(/>Try again</);
    const row = await exportRow(seeded.project.id);
    await waitFor(async () => (await t.ctx.queues.export.getJobState(row.id)) === 'failed', 'BullMQ to give up', 5000, 50);
    expect((await t.ctx.queues.export.getJob(row.id))?.attemptsMade).toBe(3);

    const failure = await waitFor(
      () => t.ctx.db.selectFrom('job_failures').selectAll().where('queue', '=', 'export').where('job_id', '=', row.id).executeTakeFirst(),
      'the failure to be recorded', 10_000, 50,
    );
    expect(failure).toMatchObject({ user_id: owner.id, attempts: 3 });
    const jobs = await (await adminBrowser(t.app, ADMIN_PASSWORD)).get('/admin/jobs');
    expect(jobs.body).toContain(`data-job-id="${row.id}"`);
    await workers.close();
    workers = undefined;
  }, 60_000);
});

describe('an export the creator must fix', () => {
  it('fails at once with what to change, without a retry', async () => {
    workers = startWorkers(t.ctx, { periodic: false });
    const seeded = await seedExportProject(t.ctx, owner.id, { clips: [{ width: 160, height: 90, durationS: 1 }], title: 'Clip gone' });
    await t.ctx.storage.delete(seeded.videoKeys[0]!);
    await browser.post(`/projects/${seeded.project.id}/export`, {}, HTMX);
    const body = await waitFor(async () => {
      const b = await fragment(seeded.project.id);
      return b.includes('data-export-status="error"') ? b : undefined;
    }, 'the export to fail', 20_000, 50);
    expect(body).toContain('Clip 1 could not be read: its video file is missing or damaged. Regenerate or remove it and try again.');
    expect(body).not.toContain('on our side');
    const row = await exportRow(seeded.project.id);
    // The job ends as done, after one try: BullMQ has nothing to retry.
    await waitFor(async () => (await t.ctx.queues.export.getJobState(row.id)) === 'completed', 'the job to complete', 5000, 50);
    expect((await t.ctx.queues.export.getJob(row.id))?.attemptsMade).toBe(1);
    expect(await t.ctx.db.selectFrom('job_failures').select('id').where('job_id', '=', row.id).executeTakeFirst()).toBeUndefined();
  }, 40_000);
});
