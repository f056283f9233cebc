import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { currentSourceHash } from '../../src/export/service.js';
import { EXPORT_JOB_PRIORITY } from '../../src/export/dispatch.js';
import type { User } from '../../src/platform/db-types.js';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createProject, createUser } from '../factories.js';
import { seedExportProject } from '../factories/export-media.js';

const HTMX = { 'hx-request': 'true' };
const tiny = { width: 160, height: 90, durationS: 1 };

describe('export routes', () => {
  let t: TestApp;
  let owner: User;
  let browser: TestBrowser;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createUser(t.ctx.db, { email: 'exporter@example.com' });
    browser = new TestBrowser(t.app);
    await browser.signInDev(owner.email);
  });
  afterAll(async () => {
    await t?.close();
  });

  const exportsOf = (projectId: string) => t.ctx.db.selectFrom('exports').selectAll().where('project_id', '=', projectId).orderBy('created_at').execute();

  it('refuses a project with no approved clips, with a message and a 4xx', async () => {
    const empty = await createProject(t.ctx.db, owner.id);
    const page = await browser.get(`/projects/${empty.id}/export`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-export-status="none"');
    expect(page.body).toContain('Nothing to export yet');

    const seeded = await seedExportProject(t.ctx, owner.id, { clips: [tiny] });
    await t.ctx.db.updateTable('clips').set({ approved: false }).where('project_id', '=', seeded.project.id).execute();
    for (const id of [empty.id, seeded.project.id]) {
      const res = await browser.post(`/projects/${id}/export`);
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('Approve at least one finished clip before exporting.');
      expect(await exportsOf(id)).toEqual([]);
    }
  });

  it('queues one export with a source hash and a low-priority job, then shows it polling', async () => {
    const seeded = await seedExportProject(t.ctx, owner.id, { clips: [tiny, tiny], musicS: 3 });
    const res = await browser.post(`/projects/${seeded.project.id}/export`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/projects/${seeded.project.id}/export`);

    const [row] = await exportsOf(seeded.project.id);
    const project = await t.ctx.db.selectFrom('projects').selectAll().where('id', '=', seeded.project.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'queued', user_id: owner.id, source_hash: (await currentSourceHash(t.ctx, project)).hash });
    const job = await t.ctx.queues.export.getJob(row!.id);
    expect(job?.data).toEqual({ exportId: row!.id, userId: row!.user_id });
    expect(job?.opts.priority).toBe(EXPORT_JOB_PRIORITY);

    const page = await browser.get(`/projects/${seeded.project.id}/export`);
    expect(page.body).toContain('data-export-status="queued"');
    expect(page.body).toContain('hx-trigger="every 10s');
    expect(page.body).toContain('/assets/css/export.css');

    // Already running: refused cleanly (409, the running export shown), never a second row.
    const again = await browser.post(`/projects/${seeded.project.id}/export`, {}, HTMX);
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('already in progress');
    expect(again.body).toContain('data-export-status="queued"');
    expect(again.body).not.toContain('<html');
    expect(await exportsOf(seeded.project.id)).toHaveLength(1);
  });

  it('refuses an unknown resolution or shape with words (422), queuing nothing', async () => {
    const seeded = await seedExportProject(t.ctx, owner.id, { clips: [tiny] });
    for (const [body, words] of [
      [{ resolution: '4k' }, /Unknown resolution (&quot;|&#34;)4k(&quot;|&#34;): choose 720 or 1080\./],
      [{ resolution: '1080', shape: '4:3' }, /Unknown shape (&quot;|&#34;)4:3(&quot;|&#34;): choose the project(&#39;|')s shape, 16:9, 9:16 or 1:1\./],
    ] as const) {
      const res = await browser.post(`/projects/${seeded.project.id}/export`, body, HTMX);
      expect(res.statusCode).toBe(422);
      expect(res.body).toMatch(words);
      expect(await exportsOf(seeded.project.id)).toEqual([]);
    }
  });

  it('allows one running export per project even when two requests race', async () => {
    const seeded = await seedExportProject(t.ctx, owner.id, { clips: [tiny] });
    const url = `/projects/${seeded.project.id}/export`;
    const codes = (await Promise.all([browser.post(url), browser.post(url), browser.post(url)])).map((r) => r.statusCode).sort();
    expect(codes).toEqual([303, 409, 409]);
    expect(await exportsOf(seeded.project.id)).toHaveLength(1);
  });

  it('answers 404 for another user, an unknown id and a malformed id, on both routes', async () => {
    const seeded = await seedExportProject(t.ctx, owner.id, { clips: [tiny] });
    const other = new TestBrowser(t.app);
    await other.signInDev('someone-else@example.com');
    for (const id of [seeded.project.id, randomUUID(), 'not-a-uuid']) {
      expect((await other.get(`/projects/${id}/export`)).statusCode).toBe(404);
      expect((await other.post(`/projects/${id}/export`)).statusCode).toBe(404);
    }
    expect(await exportsOf(seeded.project.id)).toEqual([]);
    const anonymous = await t.app.inject({ method: 'GET', url: `/projects/${seeded.project.id}/export` });
    expect(anonymous.statusCode).toBe(303);
  });

  it('says plainly which clips of the film are free drafts, before the export and beside its file', async () => {
    const seeded = await seedExportProject(t.ctx, owner.id, { clips: [tiny, tiny, tiny] });
    const draft = (ids: string[]) =>
      t.ctx.db.updateTable('takes').set({ kind: 'draft', attempt: null, credits_spent: 0 }).where('clip_id', 'in', ids).execute();
    await draft([seeded.clipIds[0]!, seeded.clipIds[2]!]);
    const before = await browser.get(`/projects/${seeded.project.id}/export`);
    expect(before.body).toMatch(/data-export-drafts="2"><span class="badge badge-draft">draft<\/span> Clips 1 and 3 of 3 are free drafts: a slow pan and zoom, not yet animated with AI\./);

    const project = await t.ctx.db.selectFrom('projects').selectAll().where('id', '=', seeded.project.id).executeTakeFirstOrThrow();
    const key = `exports/${owner.id}/${seeded.project.id}/${randomUUID()}.mp4`;
    await t.ctx.storage.put(key, Buffer.from('fake mp4 bytes'), 'video/mp4');
    await t.ctx.db
      .insertInto('exports')
      .values({ project_id: seeded.project.id, user_id: owner.id, status: 'ready', progress: 1, object_key: key, size_bytes: 1000, duration_s: 3, source_hash: (await currentSourceHash(t.ctx, project)).hash })
      .execute();
    const ready = await browser.get(`/projects/${seeded.project.id}/export`);
    expect(ready.body).toContain('data-export-status="ready"');
    expect(ready.body).toMatch(/data-export-drafts="2">.*This film has drafts in it\. Clips 1 and 3 of 3 are free drafts/);

    await t.ctx.db.updateTable('clips').set({ approved: false }).where('id', '=', seeded.clipIds[1]!).execute();
    const changed = await browser.get(`/projects/${seeded.project.id}/export`);
    // The file no longer matches the film, so the page claims nothing about the file's drafts.
    expect(changed.body).toContain('data-export-outdated');
    expect(changed.body).not.toContain('This film has drafts in it');

    const none = await seedExportProject(t.ctx, owner.id, { clips: [tiny] });
    expect((await browser.get(`/projects/${none.project.id}/export`)).body).not.toContain('data-export-drafts');
  });

  it('shows a ready export with a named download, size and duration, and says when it is out of date', async () => {
    const seeded = await seedExportProject(t.ctx, owner.id, { clips: [tiny, tiny], title: 'Summer / Trip "24"' });
    const project = await t.ctx.db.selectFrom('projects').selectAll().where('id', '=', seeded.project.id).executeTakeFirstOrThrow();
    const key = `exports/${owner.id}/${seeded.project.id}/${randomUUID()}.mp4`;
    await t.ctx.storage.put(key, Buffer.from('fake mp4 bytes'), 'video/mp4');
    await t.ctx.db
      .insertInto('exports')
      .values({ project_id: seeded.project.id, user_id: owner.id, status: 'ready', progress: 1, object_key: key, size_bytes: 3_456_789, duration_s: 83.6, source_hash: (await currentSourceHash(t.ctx, project)).hash })
      .execute();

    const page = await browser.get(`/projects/${seeded.project.id}/export`);
    expect(page.body).toContain('data-export-status="ready"');
    expect(page.body).not.toContain('hx-trigger');
    expect(page.body).toContain('3.3 MB');
    expect(page.body).toContain('1:23'); // 83.6 s, rounded down like the player's clock
    expect(page.body).not.toContain('data-export-outdated');
    const href = /href="([^"]+)"[^>]*data-export-url/.exec(page.body)![1]!.replaceAll('&amp;', '&');
    expect(href).toMatch(/[?&]sig=/); // a signed, expiring URL
    const file = await t.app.inject({ method: 'GET', url: href });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-disposition']).toContain('attachment; filename="Summer - Trip -24-.mp4"');
    expect(file.body).toBe('fake mp4 bytes');

    await t.ctx.db.updateTable('clips').set({ approved: false }).where('id', '=', seeded.clipIds[1]!).execute();
    const changed = await browser.get(`/projects/${seeded.project.id}/export`);
    expect(changed.body).toContain('data-export-outdated');
    expect(changed.body).toContain('Export again');

    // A re-export that failed still offers the previous file, and still says it is out of date.
    await t.ctx.db.insertInto('exports').values({ project_id: seeded.project.id, user_id: owner.id, status: 'error', error_message: 'Clip 2 could not be read.' }).execute();
    const failed = await browser.get(`/projects/${seeded.project.id}/export`);
    expect(failed.body).toContain('data-export-status="error"');
    expect(failed.body).toContain('Previous export');
    expect(failed.body).toContain('data-export-outdated');
  });

  it('shows a failed export with its message and a try-again button; a stuck one does not block forever', async () => {
    const seeded = await seedExportProject(t.ctx, owner.id, { clips: [tiny] });
    await t.ctx.db.insertInto('exports').values({ project_id: seeded.project.id, user_id: owner.id, status: 'error', error_message: 'Clip 1 could not be read.' }).execute();
    const page = await browser.get(`/projects/${seeded.project.id}/export`, HTMX);
    expect(page.body).toContain('data-export-status="error"');
    expect(page.body).toContain('Clip 1 could not be read.');
    expect(page.body).toContain('Try again');
    expect(page.body).toContain('name="_csrf"');

    // A rendering row whose worker vanished long ago is failed, and the new export goes ahead.
    await t.ctx.db.insertInto('exports').values({ project_id: seeded.project.id, user_id: owner.id, status: 'rendering', updated_at: sql<Date>`now() - interval '1 hour'` }).execute();
    const res = await browser.post(`/projects/${seeded.project.id}/export`);
    expect(res.statusCode).toBe(303);
    expect((await exportsOf(seeded.project.id)).map((r) => r.status)).toEqual(['error', 'error', 'queued']);
  });

  it('fails the export at once, with a message, when the queue cannot take it', async () => {
    const seeded = await seedExportProject(t.ctx, owner.id, { clips: [tiny] });
    // The owner's earlier exports (never rendered here: no worker) are over, so this one is dispatched at once.
    await t.ctx.db.updateTable('exports').set({ status: 'error' }).where('user_id', '=', owner.id).where('status', 'in', ['queued', 'rendering']).execute();
    await t.ctx.queues.export.close();
    const res = await browser.post(`/projects/${seeded.project.id}/export`, {}, HTMX);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-export-status="error"');
    expect(res.body).toContain('render queue is unavailable');
  });
});
