import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/platform/context.js';
import { describeTaskFailure, MESSAGES } from '../../src/generation/messages.js';
import { providerFor, shutdownProviders } from '../../src/generation/providers/index.js';
import { RENDER_TRIES } from '../../src/generation/providers/local.js';
import type { TaskStatus } from '../../src/generation/providers/types.js';
import { createTestApp, type TestApp } from '../setup/context.js';
import { withUnreachableStorage } from '../setup/unreachable-storage.js';
import { waitFor } from '../setup/wait.js';

// Issue 24.3 for local renders: a render that fails here (the media store out of reach) is ours:
// tried again with backoff, and the task fails only after the last try, with the clip's card then
// saying plainly it was ours (and refunded), never "please try again".

let t: TestApp;
let dead: AppContext;
beforeAll(async () => {
  t = await createTestApp({ ACTIVE_AI_PROVIDER: 'local', RUNWAY_POLL_INTERVAL_MS: '100' });
  dead = await withUnreachableStorage(t.ctx);
});
afterAll(async () => {
  shutdownProviders(dead);
  await t?.close();
});

describe('a local render failing on our side', () => {
  it(`is tried ${RENDER_TRIES} times with backoff, then fails with the plain wording`, async () => {
    const provider = providerFor(dead, 'local');
    const log = t.ctx.logger;
    const { taskId } = await provider.submit({
      clipId: 'c1', attempt: 1, imageKey: 'images/u/p/c1.jpg', outputKey: 'clips/u/p/c1.mp4', prompt: '', systemPrompt: '', model: 'x',
      ratio: '1280:720', width: 320, height: 180, durationS: 2,
    } as Parameters<typeof provider.submit>[0], log);
    const taskKey = `${t.ctx.config.QUEUE_PREFIX}:local-render:${taskId}`;
    const states: string[] = [];
    const final = await waitFor(async () => {
      const st: TaskStatus = await provider.status(taskId, log);
      states.push(`${st.state}:${(await t.ctx.redis.hget(taskKey, 'tries')) ?? 0}`);
      return st.state === 'failed' ? st : undefined;
    }, 'the render to fail for good', 30_000, 100);
    // Pending again between tries, not failed after the first.
    expect(states).toContain('pending:1');
    expect(states).toContain('pending:2');
    expect(Number(await t.ctx.redis.hget(taskKey, 'tries'))).toBe(RENDER_TRIES);
    expect(final).toMatchObject({ state: 'failed', failureCode: 'RENDER_FAILED' });
    const told = describeTaskFailure(final.state === 'failed' ? final.failureCode : undefined, undefined);
    expect(told.message).toBe(MESSAGES.ours);
    expect(told.message).toContain('because of a problem on our side');
    expect(told.message).not.toMatch(/please try again/i);
  }, 45_000);
});
