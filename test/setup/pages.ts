import { afterAll, beforeAll, expect } from 'vitest';
import { AxeBuilder } from '@axe-core/playwright';
import type { Locator, Page } from 'playwright-core';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { signInThroughForm, startBrowserApp } from './chromium.js';
import { createTestApp, type TestApp } from './context.js';
import { listenLocally } from './ports.js';

// What the browser tests (*.browser.test.ts) share: the app and a Chromium for the file, the two
// screen sizes, axe, the page's uncaught errors, signing in and opening a project, dropping files
// on a page, and a folder for screenshots.

export type BrowserApp = Awaited<ReturnType<typeof startBrowserApp>>;

/** The app served over HTTP and a Chromium for this test file: started before its tests, stopped after them. */
export function useBrowserApp(env: Record<string, string | undefined> = {}): BrowserApp {
  const app = {} as BrowserApp;
  beforeAll(async () => {
    Object.assign(app, await startBrowserApp(env));
  }, 60_000);
  afterAll(async () => {
    await app.close?.();
  });
  return app;
}

/** The app served over HTTP for this test file, for a file that launches its own browser: started before its tests, stopped after them. */
export function useServedApp(env: Record<string, string | undefined> = {}): { t: TestApp; base: string } {
  const app = {} as { t: TestApp; base: string };
  beforeAll(async () => {
    app.t = await createTestApp(env);
    app.base = await listenLocally(app.t.app);
  }, 60_000);
  afterAll(async () => {
    await app.t?.close();
  });
  return app;
}

/** A temporary folder for this test file's fixtures (`.path` once its tests run), removed after them. */
export function useTempDir(prefix: string): { path: string } {
  const dir = { path: '' };
  beforeAll(async () => {
    dir.path = await mkdtemp(path.join(os.tmpdir(), prefix));
  });
  afterAll(async () => {
    if (dir.path) await rm(dir.path, { recursive: true, force: true });
  });
  return dir;
}

/** The two screen sizes pages are checked at. */
export const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/** Axe's violations on the page (or the part `include` selects), one line each: rule and where. */
export async function axeViolations(page: Page, include?: string): Promise<string[]> {
  const builder = new AxeBuilder({ page });
  if (include) builder.include(include);
  const result = await builder.withTags(AXE_TAGS).options({ resultTypes: ['violations'] }).setLegacyMode().analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Axe finds nothing on the page (or the part `include` selects). */
export async function expectAxeClean(page: Page, include?: string): Promise<void> {
  expect(await axeViolations(page, include)).toEqual([]);
}

/** The page's uncaught errors, as they happen. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** Signs in through the form as `email` and opens the project's page. */
export async function openProjectPage(page: Page, base: string, email: string, projectId: string): Promise<void> {
  await signInThroughForm(page, base, email);
  await page.goto(`${base}/projects/${projectId}`);
}

/** Drops the files on the page's main element as a person dragging them from a folder would. */
export async function dropFiles(page: Page, paths: string[], type = 'image/jpeg'): Promise<void> {
  const files = await Promise.all(paths.map(async (p) => ({ name: path.basename(p), b64: (await readFile(p)).toString('base64') })));
  await page.evaluate(
    ({ list, type }) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type }));
      const target = document.querySelector('main') ?? document.body;
      for (const event of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new DragEvent(event, { bubbles: true, cancelable: true, dataTransfer: dt }));
    },
    { list: files, type },
  );
}

/** The folder screenshots go to, made before the file's tests: `env`'s value, else `fallback`, else none (no screenshots). */
export function useScreenshotsDir(env: string, fallback: string): string;
export function useScreenshotsDir(env: string): string | undefined;
export function useScreenshotsDir(env: string, fallback?: string): string | undefined {
  const dir = process.env[env] ?? fallback;
  if (dir) beforeAll(() => mkdir(dir, { recursive: true }).then(() => undefined));
  return dir;
}

/**
 * Where `locator`'s element is on screen, once it is there and laid out: a live refresh of the part
 * of the page it is in (the timeline's every 10 s, say) may be swapping it at the moment it is asked,
 * when `boundingBox()` answers null.
 */
export async function boxOf(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  for (let i = 0; i < 100; i++) {
    const box = await locator.boundingBox({ timeout: 15_000 }).catch(() => null);
    if (box && box.width > 0 && box.height > 0) return box;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${locator} never showed on screen`);
}
