import { chromium as playwrightChromium, type Browser, type BrowserType, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from './context.js';
import { listenLocally } from './ports.js';

/** Debian's chromium, never a downloaded browser. */
export function launchChromium(chromium: BrowserType = playwrightChromium) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
}

/** The app served over real HTTP and a browser to visit it; `close` stops both. */
export async function startBrowserApp(env: Record<string, string | undefined> = {}): Promise<{ t: TestApp; base: string; browser: Browser; close: () => Promise<void> }> {
  const t = await createTestApp(env);
  const base = await listenLocally(t.app);
  const browser = await launchChromium();
  return {
    t,
    base,
    browser,
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

/** Signs in through the dev sign-in form, as a person would, and waits until the page has left /login. */
export async function signInThroughForm(page: Page, baseUrl: string, email: string, name?: string): Promise<void> {
  await page.goto(`${baseUrl}/login?next=/`);
  await page.fill('input[name=email]', email);
  if (name !== undefined) await page.fill('input[name=name]', name);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form[action="/auth/dev"] button[type=submit]')]);
}
