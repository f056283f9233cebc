import { describe, expect, it } from 'vitest';
import { pollDelay } from '../../src/generation/process.js';

describe('pollDelay', () => {
  it('waits at least the poll interval, with up to 30% jitter so polls spread out', () => {
    const delays = Array.from({ length: 1000 }, () => pollDelay(5000));
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(5000);
      expect(d).toBeLessThanOrEqual(6500);
    }
    expect(new Set(delays).size).toBeGreaterThan(100);
  });
});
