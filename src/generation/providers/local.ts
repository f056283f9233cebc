import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Redis } from 'ioredis';
import type { Logger } from '../../platform/logger.js';
import type { Storage } from '../../storage/types.js';
import { CpuSlots } from '../../platform/cpu-slots.js';
import { renderZoomClip } from './local-render.js';
import { ProviderError, type GenerationInput, type Provider, type TaskStatus } from './types.js';

const LEASE_MS = 15_000;
/** A render that fails here (storage, ffmpeg crashing) is ours: tried this often, 1 s then 2 s apart, before the task fails. */
export const RENDER_TRIES = 3;
const TASK_TTL_S = 2 * 24 * 3600;

// Writes only while the task is unfinished, so a cancel can never be overwritten by a late result.
const SET_IF_OPEN = `local s = redis.call('HGET', KEYS[1], 'state')
if s == 'pending' or s == 'running' then redis.call('HSET', KEYS[1], unpack(ARGV)) return 1 end
return 0`;
const RENEW_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

export interface LocalDeps {
  redis: Redis;
  storage: Storage;
  logger: Logger;
  ffmpeg: string;
  keyPrefix: string;
  pollIntervalMs: number;
  concurrency?: number;
}

/**
 * Renders clips with ffmpeg, shaped like a remote service so the same job loop drives it: submit
 * records a task in Redis and starts the render; status reads it back. The render holds a lease in
 * Redis; when its process dies the lease lapses and the next status() call renders it again here.
 */
export function createLocalProvider(d: LocalDeps): Provider & { shutdown(): void } {
  const owner = randomUUID();
  const running = new Map<string, AbortController>();
  // At most this many ffmpeg renders per process; the rest wait their turn.
  const slots = new CpuSlots(d.concurrency ?? Math.max(1, Math.floor(os.cpus().length / 2)));
  const key = (taskId: string) => `${d.keyPrefix}:local-render:${taskId}`;
  const setIfOpen = (taskId: string, fields: Record<string, string>) =>
    d.redis.eval(SET_IF_OPEN, 1, key(taskId), ...Object.entries(fields).flat()) as Promise<number>;

  async function render(taskId: string, input: GenerationInput, signal: AbortSignal): Promise<void> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-render-'));
    try {
      const imagePath = path.join(dir, 'image');
      const outPath = path.join(dir, 'clip.mp4');
      await pipeline(await d.storage.get(input.imageKey), createWriteStream(imagePath));
      await setIfOpen(taskId, { state: 'running', progress: '0' });
      let lastWrite = 0;
      await renderZoomClip({
        ffmpeg: d.ffmpeg, imagePath, outPath, width: input.width, height: input.height, durationS: input.durationS, motion: input.motion, signal,
        onProgress: (p) => {
          if (Date.now() - lastWrite < 250) return;
          lastWrite = Date.now();
          void setIfOpen(taskId, { progress: p.toFixed(3) }).then((open) => open === 0 && running.get(taskId)?.abort()).catch(() => {});
        },
      });
      await d.storage.put(input.outputKey, createReadStream(outPath), 'video/mp4');
      const open = await setIfOpen(taskId, { state: 'succeeded', progress: '1', outputKey: input.outputKey });
      if (!open) await d.storage.delete(input.outputKey); // cancelled meanwhile: leave nothing behind
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async function ensureRendering(taskId: string, input: GenerationInput, retryAt = 0): Promise<void> {
    if (running.has(taskId) || Date.now() < retryAt) return;
    const lease = `${key(taskId)}:lease`;
    if ((await d.redis.set(lease, owner, 'PX', LEASE_MS, 'NX')) !== 'OK') return; // rendering elsewhere
    const ac = new AbortController();
    running.set(taskId, ac);
    const renew = setInterval(() => {
      d.redis.eval(RENEW_IF_OWNER, 1, lease, owner, String(LEASE_MS)).then((ok) => ok === 0 && ac.abort(), () => {});
    }, LEASE_MS / 3);
    renew.unref();
    const log = d.logger.child({ taskId, clipId: input.clipId, requestId: input.requestId });
    void slots.run(() => (ac.signal.aborted ? Promise.resolve() : render(taskId, input, ac.signal)))
      .catch(async (err: Error) => {
        if (ac.signal.aborted) return;
        const tries = await d.redis.hincrby(key(taskId), 'tries', 1).catch(() => RENDER_TRIES);
        log.warn({ err: err.message, tries }, 'local render failed');
        // Another try once the lease is released, started by the next status() after retryAt.
        const next: Record<string, string> = tries < RENDER_TRIES
          ? { state: 'pending', progress: '0', retryAt: String(Date.now() + 1000 * 2 ** (tries - 1)) }
          : { state: 'failed', failureCode: 'RENDER_FAILED', failure: err.message.slice(0, 500) };
        await setIfOpen(taskId, next).catch(() => {});
      })
      .finally(() => {
        clearInterval(renew);
        running.delete(taskId);
        d.redis.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1, lease, owner).catch(() => {});
      });
  }

  return {
    name: 'local',
    pollIntervalMs: d.pollIntervalMs,

    async submit(input) {
      const taskId = `local_${randomUUID()}`;
      await d.redis.multi().hset(key(taskId), { state: 'pending', progress: '0', input: JSON.stringify(input) }).expire(key(taskId), TASK_TTL_S).exec();
      await ensureRendering(taskId, input);
      return { taskId };
    },

    async status(taskId): Promise<TaskStatus> {
      const t = await d.redis.hgetall(key(taskId));
      if (!t.state) return { state: 'failed', failureCode: 'TASK_NOT_FOUND', failure: 'The render task no longer exists' };
      if (t.state === 'pending' || t.state === 'running') {
        if (!t.input) throw new ProviderError('Render task without input', false, 'BAD_TASK');
        await ensureRendering(taskId, JSON.parse(t.input) as GenerationInput, Number(t.retryAt ?? 0));
        return { state: t.state, progress: Number(t.progress ?? 0) };
      }
      if (t.state === 'succeeded') return { state: 'succeeded', outputKey: t.outputKey };
      if (t.state === 'failed') return { state: 'failed', failureCode: t.failureCode, failure: t.failure };
      return { state: 'cancelled' };
    },

    async cancel(taskId) {
      await setIfOpen(taskId, { state: 'cancelled' });
      running.get(taskId)?.abort();
    },

    shutdown() {
      for (const ac of running.values()) ac.abort();
    },
  };
}
