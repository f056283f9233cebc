import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { signInThroughForm, startBrowserApp } from '../setup/chromium.js';
import { startStripeFake, type StripeFake } from '../fakes/stripe.js';
import { ADMIN_PASSWORD } from '../factories/admin.js';
import { TestBrowser } from '../setup/browser.js';
import { createProject, createUser } from '../factories.js';
import { uploadClip } from '../factories/clips.js';
import { pagesWorld } from './world.js';

// axe-core over every page a creator or an admin sees (the URL table of the design), at desktop
// and phone size. Any violation fails: there is no allow-list.
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const SHOTS = process.env.A11Y_SCREENSHOTS; // a folder: save each page as it looked when checked
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
type Size = keyof typeof VIEWPORTS;
const SIZES: Size[] = ['desktop', 'phone'];

type World = Awaited<ReturnType<typeof pagesWorld>>;
interface Visit {
  name: string;
  url: (w: World) => string;
  signedOut?: boolean;
  /** Waited for before checking: the page's script has done its work. */
  ready?: string;
  status?: number;
}

const PAGES: Visit[] = [
  // Signed out (visited before signing in).
  { name: 'landing', url: () => '/', signedOut: true },
  { name: 'sign-in', url: () => '/login', signedOut: true },
  { name: 'admin sign-in', url: () => '/admin/login', signedOut: true },
  // A creator's pages.
  { name: 'landing, signed in', url: () => '/' },
  { name: 'referrals', url: () => '/referrals' },
  { name: 'dashboard', url: () => '/projects' },
  { name: 'project, empty', url: (w) => `/projects/${w.empty.id}` },
  { name: 'project, clips in every state', url: (w) => `/projects/${w.film.id}`, ready: '[data-clip-id][data-status="ready"]' },
  { name: 'beat analysis', url: (w) => `/projects/${w.film.id}/analysis` },
  { name: 'player', url: (w) => `/projects/${w.film.id}/play`, ready: '.reel-item' },
  { name: 'share settings', url: (w) => `/projects/${w.film.id}/share` },
  { name: 'export', url: (w) => `/projects/${w.film.id}/export` },
  { name: 'public share page', url: (w) => `/s/${w.shareToken}`, ready: '.reel-item' },
  { name: 'buy credits', url: () => '/credits' },
  { name: 'payment success', url: (w) => `/credits/success?session_id=${w.payment.stripe_session_id}` },
  { name: 'account', url: () => '/account' },
  { name: 'not found', url: () => '/no/such/page', status: 404 },
  // Pages that only answer a form post, served as the app rendered them (see ANSWERS).
  { name: 'not enough credits (the upload form\'s answer)', url: () => '/__answer/no-credits' },
  { name: 'account deleted (the deletion form\'s answer)', url: () => '/__answer/account-deleted' },
  { name: 'project not found', url: () => '/projects/00000000-0000-4000-8000-000000000000', status: 404 },
  // An admin's pages.
  { name: 'admin overview', url: () => '/admin' },
  { name: 'admin packs', url: () => '/admin/packs' },
  { name: 'admin pack', url: (w) => `/admin/packs/${w.payment.credit_pack_id}` },
  { name: 'admin settings and providers', url: () => '/admin/settings' },
  { name: 'admin users', url: () => '/admin/users' },
  { name: 'admin user', url: (w) => `/admin/users/${w.user.id}` },
  { name: 'admin failed jobs', url: () => '/admin/jobs' },
  { name: 'admin audit', url: () => '/admin/audit' },
  { name: 'admin not found', url: () => '/admin/users/00000000-0000-4000-8000-000000000000', status: 404 },
];

let app: Awaited<ReturnType<typeof startBrowserApp>>;
let stripe: StripeFake;
let world: World;
const pages = new Map<Size, Page>();
/** What the app answered to a form post, by name: the browser is shown it at /__answer/<name>. */
const ANSWERS = new Map<string, string>();
const errors: string[] = [];

beforeAll(async () => {
  stripe = await startStripeFake();
  app = await startBrowserApp({ ...stripe.env, ADMIN_PASSWORD });
  world = await pagesWorld(app.t.ctx.db, app.t.ctx.storage, 'a11y.creator@example.com');
  await answerForms();
  for (const size of SIZES) {
    const context = await app.browser.newContext({ viewport: VIEWPORTS[size], ...(size === 'phone' ? { isMobile: true, hasTouch: true } : {}) });
    await context.route(`${app.base}/__answer/*`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: ANSWERS.get(new URL(route.request().url()).pathname.split('/').pop()!) ?? 'missing' }));
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`${size} ${page.url()}: ${e.message}`));
    pages.set(size, page);
  }
}, 60_000);
afterAll(async () => {
  await app?.close();
  await stripe?.close();
});

async function answerForms(): Promise<void> {
  const { db } = app.t.ctx;
  const poor = await createUser(db, { credits: 1 });
  const b = new TestBrowser(app.t.app);
  await b.signInDev(poor.email);
  const project = await createProject(db, poor.id);
  const refused = await uploadClip(b, project.id, { duration: 10 });
  expect(refused.statusCode).toBe(402);
  ANSWERS.set('no-credits', refused.body);
  const leaving = await createUser(db);
  const l = new TestBrowser(app.t.app);
  await l.signInDev(leaving.email);
  const deleted = await l.post('/account/delete', { confirm_email: leaving.email });
  expect(deleted.body).toContain('<h1');
  ANSWERS.set('account-deleted', deleted.body);
}

/** Goes to the page and runs axe; only violations are gathered, which keeps axe quick. */
async function violations(page: Page, size: Size, visit: Visit): Promise<string[]> {
  await session(page, visit.signedOut ? 'out' : 'in');
  const res = await page.goto(`${app.base}${visit.url(world)}`);
  if (res?.status() !== (visit.status ?? 200)) return [`answered ${res?.status()}, not ${visit.status ?? 200}`];
  if (visit.ready) await page.waitForSelector(visit.ready, { state: 'attached' });
  // Legacy mode runs axe.run() in the page itself; the default opens a new blank tab for every
  // check to merge the frames' results, and our pages have no frames.
  const result = await new AxeBuilder({ page }).withTags(TAGS).options({ resultTypes: ['violations'] }).setLegacyMode().analyze();
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${size}-${visit.name.replace(/\W+/g, '-')}.png`, fullPage: true });
  return result.violations.map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Signs the page's context in as the creator and the admin, or out of both, when it is not already. */
const sessions = new Map<Page, 'in' | 'out'>();
async function session(page: Page, want: 'in' | 'out'): Promise<void> {
  if ((sessions.get(page) ?? 'out') === want) return;
  if (want === 'out') await page.context().clearCookies();
  else await signIn(page);
  sessions.set(page, want);
}

async function signIn(page: Page): Promise<void> {
  await signInThroughForm(page, app.base, world.user.email);
  await page.goto(`${app.base}/admin/login`);
  await page.fill('input[name=password]', ADMIN_PASSWORD);
  await Promise.all([page.waitForURL(/\/admin\/?$/), page.click('button[type=submit]')]);
}

// Both sizes at once, each in its own context: a page's check is one test.
describe(`axe (${TAGS.join(', ')}) at desktop ${VIEWPORTS.desktop.width}×${VIEWPORTS.desktop.height} and phone ${VIEWPORTS.phone.width}×${VIEWPORTS.phone.height}`, () => {
  for (const visit of PAGES) {
    it(visit.name, async () => {
      const found = await Promise.all(SIZES.map((size) => violations(pages.get(size)!, size, visit)));
      expect(Object.fromEntries(SIZES.map((size, i) => [size, found[i]]))).toEqual({ desktop: [], phone: [] });
    });
  }

  it('no page threw a script error', () => {
    expect(errors).toEqual([]);
  });
});
