import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Storage } from '../storage/types.js';
import { ProviderError } from './providers/types.js';
import { backoffMs } from './providers/runway-http.js';

const MAX_VIDEO_BYTES = 1024 * 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts bytes on the way through; refuses an empty or oversized body. */
function byteGuard(max: number): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      cb(n > max ? new Error(`video larger than ${max} bytes`) : null, chunk);
    },
    flush(cb) {
      cb(n === 0 ? new Error('empty video') : null);
    },
  });
}

/**
 * Streams a provider's output URL into storage without holding it in memory. Output URLs expire,
 * so a failure is retryable: the next poll asks the provider for fresh ones.
 */
export async function downloadToStorage(storage: Storage, url: string, key: string, opts: { retries?: number; timeoutMs?: number } = {}): Promise<void> {
  const retries = opts.retries ?? 2;
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 300_000) });
      if (!res.ok || !res.body) {
        await res.body?.cancel().catch(() => {});
        throw new ProviderError(`output download answered ${res.status}`, true, 'DOWNLOAD_FAILED', res.status);
      }
      const guard = byteGuard(MAX_VIDEO_BYTES);
      const feeding = pipeline(Readable.fromWeb(res.body as never), guard);
      const storing = storage.put(key, guard, 'video/mp4').catch((err: Error) => {
        guard.destroy(err);
        throw err;
      });
      await Promise.all([storing, feeding]);
      return;
    } catch (err) {
      const status = (err as ProviderError).status;
      const worthRetry = status === undefined || status >= 500 || status === 429;
      if (attempt < retries && worthRetry) {
        await sleep(backoffMs(attempt));
        continue;
      }
      if (err instanceof ProviderError) throw err;
      throw new ProviderError(`output download failed: ${(err as Error).message}`, true, 'DOWNLOAD_FAILED');
    }
  }
}
