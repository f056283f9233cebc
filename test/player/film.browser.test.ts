import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../setup/context.js';
import { runFilmScenario } from './film-scenario.js';

let t: TestApp;
let baseUrl: string;

beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await t?.close();
});

describe('the player in a real browser', () => {
  it('plays three clips in order as one film with music, to the end, and records the hand-over gaps', async () => {
    const r = await runFilmScenario({ baseUrl, world: t.ctx, clips: 3, clipSeconds: 2 });
    expect(r.pageIds).toEqual(r.expectedIds);
    expect(r.firstFrameOrder).toEqual([0, 1, 2]);
    expect(r.colours).toEqual(['red', 'green', 'blue']);
    expect(r.music).not.toBeNull();
    expect(r.music!.paused).toBe(false);
    expect(r.music!.at2).toBeGreaterThan(r.music!.at1);
    expect(r.ended).toBe(true);
    expect(r.music!.endPaused).toBe(true);
    expect(r.transitions).toHaveLength(2);
    // Gaps are a benchmark figure (bench/player-gap.ts); here only a stall a person would see fails.
    expect(r.worstGapMs).toBeLessThan(250);
  }, 45_000);
});
