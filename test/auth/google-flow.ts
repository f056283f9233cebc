import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { TestBrowser } from '../setup/browser.js';

/** Path and query of an absolute URL, as the browser would request it from our app. */
export const pathOf = (absolute: string) => {
  const u = new URL(absolute);
  return u.pathname + u.search;
};

/** Step 1: our app sends the browser to Google; returns where it points. */
export async function startGoogle(b: TestBrowser, next?: string): Promise<string> {
  const res = await b.get(next === undefined ? '/auth/google' : `/auth/google?next=${encodeURIComponent(next)}`);
  expect(res.statusCode).toBe(302);
  return String(res.headers.location);
}

/** Step 2: "Google" (the fake) answers the authorize URL; returns the callback URL it redirects to. */
export async function visitGoogle(authorizeUrl: string): Promise<string> {
  const res = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return res.headers.get('location')!;
}

/** The whole dance: app → Google → callback. Returns the callback response. */
export async function signInWithGoogle(b: TestBrowser, next?: string): Promise<LightMyRequestResponse> {
  const callback = await visitGoogle(await startGoogle(b, next));
  return b.get(pathOf(callback));
}
