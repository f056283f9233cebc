import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { signInThroughForm } from '../setup/chromium.js';
import { createProject, createUser } from '../factories.js';
import { attachMusic, insertReadyClips } from '../factories/media.js';
import { waitFor } from '../setup/wait.js';
import { ADMIN_PASSWORD } from '../factories/admin.js';
import { tabThrough, tabTo } from './keyboard.js';
import { useBrowserApp } from '../setup/pages.js';

// Keyboard alone: every control on the busiest pages is reached by Tab and shows where the focus
// is; clips are reordered and the film is played with keys only (no mouse, no page.click).
const app = useBrowserApp({ ADMIN_PASSWORD });
let page: Page;
let userId: string;

beforeAll(async () => {
  const user = await createUser(app.t.ctx.db, { email: 'keys@example.com', credits: 20 });
  userId = user.id;
  page = await app.browser.newPage({ viewport: { width: 1280, height: 800 } });
  await signInThroughForm(page, app.base, user.email);
}, 60_000);

async function filmProject(title: string, clips = 3) {
  const project = await createProject(app.t.ctx.db, userId, { title });
  const ids = (await insertReadyClips(app.t.ctx, userId, project.id, clips, { durationS: 2 })).map((c) => c.id);
  return { project, ids };
}

const order = async (projectId: string) =>
  (await app.t.ctx.db.selectFrom('clips').select('id').where('project_id', '=', projectId).orderBy('position').execute()).map((c) => c.id);
const focusedClip = () => page.evaluate(() => (document.activeElement?.closest('[data-clip-id]') as HTMLElement | null)?.dataset.clipId ?? null);
const focusedLabel = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);

describe('keyboard alone', () => {
  it('reorders clips on the project page with the move buttons, keeps the focus on the moved clip and says where it went', async () => {
    const { project, ids } = await filmProject('Reorder by keys');
    const [a, b, c] = ids as [string, string, string];
    // Each move is pushed back over the live stream as a new card; the page puts the focus back on
    // the same button in it (public/js/clips.js), so the focus is checked once the push has landed.
    await page.goto(`${app.base}/projects/${project.id}`);

    await tabTo(page, `[data-clip-id="${a}"] [data-move="down"] button`);
    await expect.poll(focusedLabel, { timeout: 3000 }).toBe('Move later');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await order(project.id)).join() === [b, a, c].join(), 'the first clip to move down');
    await expect.poll(focusedClip, { timeout: 3000 }).toBe(a);
    await expect.poll(focusedLabel, { timeout: 3000 }).toBe('Move later');
    expect(await page.textContent('[data-order-status]')).toBe('Clip moved to position 2 of 3.');

    await page.keyboard.press('Space'); // the same button again: one more step down
    await waitFor(async () => (await order(project.id)).join() === [b, c, a].join(), 'the clip to move to the end');
    await expect.poll(focusedClip, { timeout: 3000 }).toBe(a);
    await page.keyboard.press('Enter'); // already last: nothing moves, and it is said
    await expect.poll(() => page.textContent('[data-order-status]'), { timeout: 3000 }).toBe('This clip is already last.');

    await page.keyboard.press('Shift+Tab');
    await expect.poll(focusedLabel, { timeout: 3000 }).toBe('Move earlier');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await order(project.id)).join() === [b, a, c].join(), 'the clip to move back up');
    await expect.poll(focusedClip, { timeout: 3000 }).toBe(a);
    await expect.poll(focusedLabel, { timeout: 3000 }).toBe('Move earlier');
    expect(await page.textContent('[data-order-status]')).toBe('Clip moved to position 2 of 3.');

    // The page shows the order that was saved.
    await page.reload();
    expect(await page.$$eval('[data-clip-grid] [data-clip-id]', (els) => els.map((e) => e.getAttribute('data-clip-id')))).toEqual([b, a, c]);
  });

  it('plays and pauses the film, and seeks with the arrows on the progress bar', async () => {
    const { project } = await filmProject('Play by keys', 3);
    await attachMusic(app.t.ctx, userId, project.id, { durationS: 6 });
    await page.goto(`${app.base}/projects/${project.id}/play`);
    await page.waitForFunction(() => Boolean((window as any).__echoesPlayer) && document.querySelector('audio')!.readyState >= 2, undefined, { polling: 100 });
    const state = () => page.evaluate('window.__echoesPlayer.state()') as Promise<{ index: number; playing: boolean; time: number }>;
    const videosPlaying = () => page.evaluate(() => [...document.querySelectorAll('video')].some((v) => !v.paused));
    const ring = () => page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);

    // The big play button first: Enter starts the film, and the focus lands on play/pause.
    await tabTo(page, '.player-bigplay');
    expect(await ring()).toBe('solid');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await state()).playing && (await videosPlaying()), 'the film to play');
    expect(await focusedLabel()).toBe('Pause');
    expect(await ring()).toBe('solid');
    // The controls stay up while the keyboard is in them.
    await page.waitForTimeout(2800);
    expect(await page.evaluate(() => document.querySelector('[data-player]')!.classList.contains('controls-hidden'))).toBe(false);

    await page.keyboard.press('Space');
    await waitFor(async () => !(await state()).playing && !(await videosPlaying()), 'the film to pause');
    expect(await focusedLabel()).toBe('Play');

    // The progress bar is a slider (before "previous clip"): arrows seek, Space and k play and pause.
    await page.keyboard.press('Shift+Tab');
    expect(await focusedLabel()).toBe('Previous clip');
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('slider');
    expect(await ring()).toBe('solid');
    const before = (await state()).time;
    await page.keyboard.press('ArrowRight');
    await waitFor(async () => (await state()).time > before + 1, 'the film to seek forward');
    expect(Number(await page.getAttribute('[data-progress]', 'aria-valuenow'))).toBeGreaterThan(before);
    await page.keyboard.press('Home');
    await waitFor(async () => (await state()).time < 0.1, 'the film to go back to the start');
    await page.keyboard.press('k');
    await waitFor(async () => (await state()).playing, 'k to play');
    await page.keyboard.press('Space');
    await waitFor(async () => !(await state()).playing, 'Space to pause');

    // Mute says whether it is pressed.
    await tabTo(page, '[data-action="mute"]');
    await page.keyboard.press('Enter');
    expect(await page.getAttribute('[data-action="mute"]', 'aria-pressed')).toBe('true');
    expect(await page.evaluate(() => document.querySelector('audio')!.muted)).toBe(true);
  });

  it('opens the account menu and signs out', async () => {
    await page.goto(`${app.base}/projects`);
    await tabTo(page, '.account-menu summary');
    await page.keyboard.press('Enter');
    await tabTo(page, '.account-menu a[href="/account"]', 3);
    // Escape closes it and the focus goes back to its button; Enter opens it again.
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => document.querySelector('details.account-menu')!.hasAttribute('open'))).toBe(false);
    expect(await page.evaluate(() => document.activeElement!.matches('.account-menu summary'))).toBe(true);
    await page.keyboard.press('Enter');
    await tabTo(page, 'form[action="/logout"] button', 6);
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.keyboard.press('Enter')]);
    expect(await page.locator('a[href="/login"]').count()).toBeGreaterThan(0);
    await signInThroughForm(page, app.base, 'keys@example.com');
  });

  it('signs in to the admin and reaches every control of the settings page', async () => {
    await page.goto(`${app.base}/admin/login`);
    await tabTo(page, 'input[name=password]');
    await page.keyboard.type(ADMIN_PASSWORD);
    await Promise.all([page.waitForURL(/\/admin\/?$/), page.keyboard.press('Enter')]);
    await page.goto(`${app.base}/admin/settings`);
    const r = await tabThrough(page);
    expect(r.stops).toBeGreaterThan(10);
    expect(r.unreached).toEqual([]);
    expect(r.noRing).toEqual([]);
  });

  for (const [name, url] of [
    ['project page', (p: string) => `/projects/${p}`],
    ['player', (p: string) => `/projects/${p}/play`],
    ['share settings', (p: string) => `/projects/${p}/share`],
    ['dashboard', () => '/projects'],
    ['buy credits', () => '/credits'],
    ['account', () => '/account'],
  ] as const) {
    it(`reaches every control of the ${name} with Tab, each with a visible focus ring`, async () => {
      const { project } = await filmProject(`Tab through ${name}`, 2);
      await page.goto(`${app.base}${url(project.id)}`);
      const r = await tabThrough(page);
      expect(r.stops).toBeGreaterThan(3);
      expect(r.unreached).toEqual([]);
      expect(r.noRing).toEqual([]);
    });
  }
});
