import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkers, type RunningWorkers } from '../../src/worker.js';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { withUnreachableStorage } from '../setup/unreachable-storage.js';
import { waitFor } from '../setup/wait.js';
import { ADMIN_PASSWORD, adminBrowser } from '../factories/admin.js';
import { createUser } from '../factories.js';

// Issue 24.3 for the data ZIP: storage out of reach is ours; the panel says it is being retried,
// then says plainly it was ours (no "try again"), and /admin/jobs lists the job.

let t: TestApp;
let workers: RunningWorkers | undefined;

beforeAll(async () => {
  t = await createTestApp({ ADMIN_PASSWORD });
});
afterAll(async () => {
  await workers?.close();
  await t?.close();
});

describe('a data download failing on our side', () => {
  it('is retried saying so, then ends plainly and is listed on /admin/jobs', async () => {
    const user = await createUser(t.ctx.db, { email: 'zip-retry@example.com' });
    const b = new TestBrowser(t.app);
    await b.signInDev(user.email);
    workers = startWorkers(await withUnreachableStorage(t.ctx), { periodic: false });
    expect((await b.post('/account/export', {}, { 'hx-request': 'true' })).statusCode).toBe(200);
    const panel = async () => (await b.get('/account/export', { 'hx-request': 'true' })).body;

    const during = await waitFor(async () => ((await panel()).includes('data-retrying') ? panel() : undefined), 'the retrying wording', 20_000, 50);
    expect(during).toContain('Something went wrong on our side, so we are trying again automatically.');
    expect(during).toMatch(/data-download-state="(queued|building)"/);

    const after = await waitFor(async () => {
      const body = await panel();
      return body.includes('data-download-state="error"') ? body : undefined;
    }, 'the last try to fail', 40_000, 100);
    expect(after).toContain('We could not prepare your download because of a problem on our side, and trying again automatically did not fix it.');
    expect(after).not.toMatch(/try again\.|>Try again</i);

    const row = await t.ctx.db.selectFrom('account_exports').select('id').where('user_id', '=', user.id).executeTakeFirstOrThrow();
    const failure = await waitFor(
      () => t.ctx.db.selectFrom('job_failures').selectAll().where('queue', '=', 'account').executeTakeFirst(),
      'the failure to be recorded', 10_000, 50,
    );
    expect(failure).toMatchObject({ job_name: 'account-export', job_id: `account-export-${row.id}`, user_id: user.id, attempts: 3 });
    const jobs = await (await adminBrowser(t.app, ADMIN_PASSWORD)).get('/admin/jobs');
    expect(jobs.body).toContain(`data-job-id="account-export-${row.id}"`);
    expect(jobs.body).toContain('zip-retry@example.com');
  }, 60_000);
});
