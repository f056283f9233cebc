import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { ROUTE_LIMITS } from '../../src/limits/route-limits.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { HttpBrowser, startWebProcess, stopProcesses } from '../setup/web-processes.js';

// Issue 26 item 4: one limiter, in Redis: a person's allowance is the same whichever of two web
// processes (as `npm start` runs them) their requests reach.

let t: TestContext;
const children: ChildProcess[] = [];
let webA = '';
let webB = '';

beforeAll(async () => {
  t = await createTestContext();
  [webA, webB] = await Promise.all([startWebProcess(t.env, children), startWebProcess(t.env, children)]);
}, 90_000);
afterAll(async () => {
  await stopProcesses(children);
  await t?.close();
}, 60_000);

describe('a route limit across two web processes', () => {
  it('holds for one person whose requests alternate between the processes', async () => {
    const browser = new HttpBrowser();
    await browser.signInDev(webA, 'two-processes@example.com', 'Limit');
    await browser.page(`${webA}/account`);
    const { max } = ROUTE_LIMITS['account-export'];
    for (let i = 0; i < max; i++) {
      const res = await browser.post(`${i % 2 ? webB : webA}/account/export`);
      expect(res.status).not.toBe(429);
    }
    const refusedA = await browser.post(`${webA}/account/export`);
    const refusedB = await browser.post(`${webB}/account/export`);
    expect([refusedA.status, refusedB.status]).toEqual([429, 429]);
    expect(Number(refusedB.headers.get('retry-after'))).toBeGreaterThan(0);
  }, 60_000);
});
