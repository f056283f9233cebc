import { expect, it } from 'vitest';
import { signInThroughForm } from '../setup/chromium.js';
import { createProject, createUser } from '../factories.js';
import { insertReadyClips } from '../factories/media.js';
import { useBrowserApp } from '../setup/pages.js';

// The project page's Tab walk sometimes found the focus at the top of the page mid-walk: the
// timeline's live refresh (every 10 s, and on the stream's live-film) replaced the focused control,
// and the focus sat on the body until timeline.js put it back at htmx:after:swap, a settle later; a
// Tab pressed in between started from the top. With ids that stay the same across refreshes, htmx 4
// puts the focus on the new control in the swap itself: the body never holds it.
const app = useBrowserApp();

it('a refresh of the timeline never leaves the focus on the body, not even for a moment', async () => {
  const user = await createUser(app.t.ctx.db, { email: 'swap-focus@example.com', credits: 20 });
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 800 } });
  await signInThroughForm(page, app.base, user.email);
  const project = await createProject(app.t.ctx.db, user.id, { title: 'Swap focus' });
  await insertReadyClips(app.t.ctx, user.id, project.id, 2, { durationS: 2 });
  await page.goto(`${app.base}/projects/${project.id}`);
  await page.waitForSelector('#timeline[data-ready]');
  for (const sel of ['#tl-play', '#tl-zoom-in', '.tl-edge-out', '.tl-edge-in', '[data-tl-select]', '[data-tl-scroll]', '.tl-trim-form input[name=in_s]']) {
    await page.locator(sel).first().focus();
    const want = await page.evaluate(() => document.activeElement!.id);
    expect(want).not.toBe('');
    // The focused element when the old timeline leaves the DOM (a mutation observer runs right after
    // the swap's own step) and once the swap has finished.
    const seen = await page.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const out: string[] = [];
          const root = document.getElementById('timeline')!;
          const mo = new MutationObserver(() => {
            if (root.isConnected) return;
            out.push(document.activeElement === document.body ? 'body' : document.activeElement!.id);
            mo.disconnect();
          });
          mo.observe(root.parentNode!, { childList: true });
          document.addEventListener('htmx:after:swap', () => setTimeout(() => resolve([...out, document.activeElement!.id]), 0), { once: true });
          document.body.dispatchEvent(new CustomEvent('live-film'));
        }),
    );
    expect(seen, sel).toEqual([want, want]);
  }
}, 120_000);
