import { describe, expect, it } from 'vitest';
import { useServedApp } from '../setup/pages.js';
import { runPlayerDrift } from './beat-player.js';

const app = useServedApp();

// Headless Chromium without a GPU presents frames on a software compositor: a cut can land a few
// frames late, never more than this. Measured figures go to .tmp/beat-drift.json.
const TOLERANCE_MS = 120;
// On two cores shared with the rest of the suite, one run in a few dozen has seen a cut land 250 ms
// late because Chromium's compositor was starved; a cut that is really off the beat misses every time.
const RETRIES = 1;

describe('beat sync in a real browser', () => {
  it('presents every cut of a beat-synced film on the planned beat, on the music clock, without drift', { timeout: 40_000, retry: RETRIES }, async () => {
    const r = await runPlayerDrift({ baseUrl: app.base, ctx: app.t.ctx });
    expect(r.order).toEqual([0, 1, 2, 3]);
    expect(r.ended).toBe(true);
    expect(r.errors).toHaveLength(3);
    for (const e of r.errors) {
      expect(e.seenS).not.toBeNull();
      expect(Math.abs(e.errorMs!)).toBeLessThanOrEqual(TOLERANCE_MS);
    }
  });
});
