import { beforeAll, describe, expect, it } from 'vitest';
import { expectAxeClean, openProjectPage, pageErrors, useBrowserApp, VIEWPORTS } from '../setup/pages.js';
import { createProject, createUser, expectLedgerBalanced } from '../factories.js';
import { createClip, getClip } from '../factories/clips.js';
import { addTake, takesOf } from '../factories/takes.js';
import { sampleMp4 } from '../fakes/runway.js';

// A clip's takes in a browser (issue 29 item 2), at desktop and phone size: "Takes (N)" on the card
// opens the list in a dialog; a take plays inline; choosing one switches the film (the card follows);
// deleting another is confirmed first; a take made meanwhile shows up in the open list (live); Escape
// closes it and gives the focus back. Set TAKES_SCREENSHOTS=<dir> to keep screenshots.

const SHOTS = process.env.TAKES_SCREENSHOTS;
const app = useBrowserApp({ ACTIVE_AI_PROVIDER: 'local' });
let video: Buffer;

beforeAll(async () => {
  video = await sampleMp4();
});

const at = (s: number) => new Date(Date.now() - 600_000 + s * 1000);

describe('the takes of a clip', () => {
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    it(`${size}: listed in a dialog, played inline, one chosen for the film, another deleted, a new one shown live`, async () => {
      const user = await createUser(app.t.ctx.db, { email: `takes-${size}@example.com`, credits: 5 });
      const project = await createProject(app.t.ctx.db, user.id, { title: `Takes ${size}` });
      const clip = await createClip(app.t.ctx.db, app.t.ctx.storage, { userId: user.id, projectId: project.id, status: 'ready', video, approved: true });
      await app.t.ctx.db.updateTable('takes').set({ created_at: at(0) }).where('clip_id', '=', clip.id).execute();
      const second = await addTake(app.t.ctx.db, app.t.ctx.storage, clip, { attempt: 2, prompt: 'the camera pushes in towards the lighthouse', motion: 'push_in', video, createdAt: at(1) });
      await addTake(app.t.ctx.db, app.t.ctx.storage, clip, { attempt: 3, status: 'error', refunded: true, prompt: 'a storm rolls in', error: 'The provider refused this picture.', createdAt: at(2) });
      await app.t.ctx.db.updateTable('clips').set({ attempt: 3, status: 'error', error_message: 'The provider refused this picture.' }).where('id', '=', clip.id).execute();
      const [first] = await takesOf(app.t.ctx.db, clip.id);

      const page = await app.browser.newPage({ viewport });
      const errors = pageErrors(page);
      page.on('dialog', (d) => void d.accept());
      try {
        await openProjectPage(page, app.base, user.email, project.id);
        const open = page.locator(`#clip-${clip.id} [data-takes-open]`);
        expect(await open.textContent()).toContain('Takes (3)');
        if (SHOTS) await page.locator(`#clip-${clip.id}`).screenshot({ path: `${SHOTS}/${size}-card.png` });
        await open.click();
        const dialog = page.locator('dialog#takes-dialog');
        await dialog.locator('.take').first().waitFor({ timeout: 15_000 });
        expect(await dialog.evaluate((d) => (d as HTMLDialogElement).open)).toBe(true);
        expect(await dialog.locator('.take').count()).toBe(3);
        expect(await dialog.locator('.take').nth(0).textContent()).toContain('The provider refused this picture. · 1 credit refunded');
        expect(await dialog.locator(`[data-take-id="${first!.id}"]`).getAttribute('data-take-chosen')).toBe('');
        // A take plays inline from its signed URL.
        const played = await dialog.locator(`[data-take-id="${second.id}"] video`).evaluate(async (v) => {
          const el = v as HTMLVideoElement;
          el.muted = true;
          await el.play();
          await new Promise((r) => setTimeout(r, 300));
          return { time: el.currentTime, src: el.currentSrc };
        });
        expect(played.time).toBeGreaterThan(0);
        expect(played.src).toContain(second.video_key!);
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/${size}-dialog.png` });
        await expectAxeClean(page, '#takes-dialog');

        // Choose the second take: the list marks it, the film uses it, the card follows.
        const sigBefore = await open.getAttribute('data-takes-sig');
        await dialog.locator(`[data-take-id="${second.id}"] [data-take-select]`).click();
        await dialog.locator(`[data-take-id="${second.id}"][data-take-chosen]`).waitFor({ timeout: 15_000 });
        expect((await getClip(app.t.ctx.db, clip.id)).take_id).toBe(second.id);
        await expect.poll(() => page.locator(`#clip-${clip.id} [data-takes-open]`).getAttribute('data-takes-sig'), { timeout: 15_000 }).not.toBe(sigBefore);

        // Delete the first (confirmed by the page's dialog, accepted above): gone from the list and the card's count.
        await dialog.locator(`[data-take-id="${first!.id}"] [data-take-delete]`).click();
        await page.waitForFunction((id) => !document.querySelector(`#takes-dialog [data-take-id="${id}"]`), first!.id, { timeout: 15_000 });
        await expect.poll(() => page.locator(`#clip-${clip.id} [data-takes-open]`).textContent(), { timeout: 15_000 }).toContain('Takes (2)');
        expect(await takesOf(app.t.ctx.db, clip.id)).toHaveLength(2);

        // A take made elsewhere (a worker, another tab) appears in the open list through the live stream.
        await addTake(app.t.ctx.db, app.t.ctx.storage, clip, { kind: 'draft', video });
        await page.waitForFunction(() => document.querySelectorAll('#takes-dialog .take').length === 3, null, { timeout: 20_000 });
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/${size}-after.png` });

        // Escape closes it; the focus goes back to the card's control.
        await page.keyboard.press('Escape');
        expect(await dialog.evaluate((d) => (d as HTMLDialogElement).open)).toBe(false);
        expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-takes-open'))).toBe(true);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
      await expectLedgerBalanced(app.t.ctx.db);
    }, 120_000);
  }
});
