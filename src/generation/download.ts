import http from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Storage } from '../storage/types.js';
import { checkOutputUrl, guardedLookup, outputRefused, type OutputPolicy } from './output-url.js';
import { ProviderError } from './providers/types.js';
import { backoffMs } from './providers/runway-http.js';

/** Redirects followed (each target checked against the policy) before the URL is refused. */
const MAX_REDIRECTS = 3;
/** The whole download of one attempt, every hop and the body included. */
const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tooLarge(max: number): ProviderError {
  return new ProviderError(`output video larger than ${max} bytes`, false, 'OUTPUT_TOO_LARGE');
}

/** Counts bytes on the way through; refuses an empty or oversized body. */
function byteGuard(max: number, onTooLarge: () => void): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      if (n > max) onTooLarge();
      cb(n > max ? tooLarge(max) : null, chunk);
    },
    flush(cb) {
      cb(n === 0 ? new Error('empty video') : null);
    },
  });
}

function get(url: URL, policy: OutputPolicy, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    client.get(url, { lookup: guardedLookup(policy), signal, headers: { accept: 'video/mp4, */*' } }, resolve).on('error', reject);
  });
}

/** Follows redirects by hand, re-checking every target against the policy; answers the body's response. */
async function openOutput(raw: string, policy: OutputPolicy, signal: AbortSignal): Promise<http.IncomingMessage> {
  let url = checkOutputUrl(raw, policy);
  for (let hop = 0; ; hop++) {
    const res = await get(url, policy, signal);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (hop >= MAX_REDIRECTS) throw outputRefused(`more than ${MAX_REDIRECTS} redirects`);
      url = checkOutputUrl(res.headers.location, policy, url);
      continue;
    }
    if (status < 200 || status >= 300) {
      res.resume();
      throw new ProviderError(`output download answered ${status}`, true, 'DOWNLOAD_FAILED', status);
    }
    const length = Number(res.headers['content-length']);
    if (Number.isFinite(length) && length > policy.maxBytes) {
      res.destroy();
      throw tooLarge(policy.maxBytes);
    }
    return res;
  }
}

/**
 * Streams a provider's output URL into storage without holding it in memory, only from the
 * provider's own hosts (see output-url.ts), at most policy.maxBytes, within DOWNLOAD_TIMEOUT_MS.
 * Output URLs expire, so a failed fetch is retryable (the next poll asks for fresh ones); a
 * refused URL or an oversized video is not.
 */
export async function downloadToStorage(
  storage: Storage,
  url: string,
  key: string,
  policy: OutputPolicy,
  opts: { retries?: number; timeoutMs?: number } = {},
): Promise<void> {
  const retries = opts.retries ?? 2;
  for (let attempt = 0; ; attempt++) {
    try {
      const signal = AbortSignal.timeout(opts.timeoutMs ?? DOWNLOAD_TIMEOUT_MS);
      const res = await openOutput(url, policy, signal);
      let oversized = false;
      const guard = byteGuard(policy.maxBytes, () => (oversized = true));
      const feeding = pipeline(res, guard);
      const storing = storage.put(key, guard, 'video/mp4').catch((err: Error) => {
        guard.destroy(err);
        throw err;
      });
      try {
        await Promise.all([storing, feeding]);
      } catch (err) {
        throw oversized ? tooLarge(policy.maxBytes) : err;
      }
      return;
    } catch (err) {
      if (err instanceof ProviderError && !err.retryable) throw err;
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
