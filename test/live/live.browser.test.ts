import { describe, expect, it } from 'vitest';
import { failGeneration } from '../../src/generation/service.js';
import { useBrowserApp } from '../setup/pages.js';
import { createProject } from '../factories.js';
import { createClip } from '../factories/clips.js';

// htmx 4's SSE extension in a real browser: a project page opens its stream, a worker's result
// replaces the card and the header balance without any poll.

const app = useBrowserApp();

describe('a project page in a real browser', () => {
  it('shows a clip’s new state and the new balance pushed on its stream, without polling', { timeout: 60_000 }, async () => {
    const page = await app.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const polls: string[] = [];
    page.on('request', (r) => r.url().includes('/clips/') && polls.push(r.url()));
    await page.goto(`${app.base}/login`);
    await page.fill('input[name=email]', 'live-browser@example.com');
    await page.click('form[action="/auth/dev"] button[type=submit]');
    await page.waitForURL(/\/projects/);
    const user = await app.t.ctx.db.selectFrom('users').selectAll().where('email', '=', 'live-browser@example.com').executeTakeFirstOrThrow();
    const project = await createProject(app.t.ctx.db, user.id);
    const clip = await createClip(app.t.ctx.db, app.t.ctx.storage, { userId: user.id, projectId: project.id, status: 'generating', credits: 1 });

    const opened = page.waitForResponse((r) => r.url().includes('/events?') && r.url().includes(`project=${project.id}`));
    await page.goto(`${app.base}/projects/${project.id}`);
    expect((await opened).headers()['content-type']).toContain('text/event-stream');
    await expect(page.locator('[data-credit-balance]').getAttribute('data-credit-balance')).resolves.toBe('0');
    // Recorded elsewhere, as a worker would (before or after the stream's catch-up: either way shown).
    await failGeneration(app.t.ctx, clip.id, clip.attempt, { code: 'X', message: 'It did not work.' });

    await page.waitForSelector(`[data-clip-id="${clip.id}"][data-status="error"]`, { timeout: 5000 });
    await page.waitForSelector('[data-credit-balance="1"]', { timeout: 5000 });
    expect(polls).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('takes a clip deleted in one tab off the other tab, without errors in either', { timeout: 60_000 }, async () => {
    const context = await app.browser.newContext();
    const errors: string[] = [];
    const [one, two] = [await context.newPage(), await context.newPage()];
    for (const page of [one, two]) {
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    }
    await one.goto(`${app.base}/login`);
    await one.fill('input[name=email]', 'two-tabs@example.com');
    await one.click('form[action="/auth/dev"] button[type=submit]');
    await one.waitForURL(/\/projects/);
    const user = await app.t.ctx.db.selectFrom('users').selectAll().where('email', '=', 'two-tabs@example.com').executeTakeFirstOrThrow();
    const project = await createProject(app.t.ctx.db, user.id);
    const clip = await createClip(app.t.ctx.db, app.t.ctx.storage, { userId: user.id, projectId: project.id, status: 'ready', credits: 0 });
    for (const page of [one, two]) {
      const opened = page.waitForResponse((r) => r.url().includes('/events?') && r.url().includes(`project=${project.id}`));
      await page.goto(`${app.base}/projects/${project.id}`);
      await opened;
    }
    one.on('dialog', (d) => void d.accept());
    await one.click(`#clip-${clip.id} .clip-delete`);
    await one.waitForSelector(`#clip-${clip.id}`, { state: 'detached', timeout: 5000 });
    await two.waitForSelector(`#clip-${clip.id}`, { state: 'detached', timeout: 5000 });
    expect(errors).toEqual([]);
    await context.close();
  });
});
