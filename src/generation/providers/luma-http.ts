import { backoffMs, parseRetryAfter } from './runway-http.js';
import { ProviderError } from './types.js';

/** What Luma's SDK retries (specs/luma.md, "Transport"): connection errors, 408, 409, 429, 5xx. */
const RETRY_STATUS = (s: number) => s === 408 || s === 409 || s === 429 || s >= 500;

export interface LumaHttpOptions {
  baseUrl: string;
  apiKey: string;
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  onRetry?: (info: { method: string; path: string; attempt: number; delayMs: number; reason: string }) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function describe(status: number, body: unknown, text: string): string {
  const b = body as { detail?: unknown; message?: unknown; error?: unknown } | null;
  const d = b?.detail ?? b?.message ?? b?.error;
  if (typeof d === 'string') return d;
  if (d !== undefined) return JSON.stringify(d).slice(0, 300);
  return text.slice(0, 200) || `HTTP ${status}`;
}

/**
 * One call to Luma's Dream Machine API with the spec's headers and retry rules. A Retry-After
 * longer than the cap is not slept on: the error carries it. Out-of-credits answers get their own
 * code so failover and the admin can tell them from a bad request.
 */
export async function lumaRequest(o: LumaHttpOptions, method: 'GET' | 'POST' | 'DELETE', path: string, body?: object): Promise<{ status: number; body: unknown }> {
  const maxRetries = o.maxRetries ?? 2;
  const capMs = o.maxDelayMs ?? 8000;
  const url = `${o.baseUrl.replace(/\/$/, '')}${path}`;
  const headers: Record<string, string> = { authorization: `Bearer ${o.apiKey}`, accept: 'application/json' };
  if (body) headers['content-type'] = 'application/json';
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(o.timeoutMs ?? 60_000) });
    } catch (err) {
      const reason = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name ?? 'network error';
      // No idempotency key: a POST whose answer was lost may have started a video, so it is not sent again.
      if (attempt < maxRetries && method !== 'POST') {
        const delayMs = backoffMs(attempt, o.baseDelayMs, capMs);
        o.onRetry?.({ method, path, attempt: attempt + 1, delayMs, reason });
        await sleep(delayMs);
        continue;
      }
      throw new ProviderError(`Luma ${method} ${path} failed: ${reason}`, true, 'NETWORK');
    }
    const text = res.status === 204 ? '' : await res.text().catch(() => '');
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (res.ok) return { status: res.status, body: parsed };
    const detail = describe(res.status, parsed, text);
    const message = `Luma ${method} ${path} answered ${res.status}: ${detail}`;
    if (RETRY_STATUS(res.status)) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      if (attempt < maxRetries && (retryAfterMs === undefined || retryAfterMs <= capMs)) {
        const delayMs = retryAfterMs ?? backoffMs(attempt, o.baseDelayMs, capMs);
        o.onRetry?.({ method, path, attempt: attempt + 1, delayMs, reason: `HTTP ${res.status}` });
        await sleep(delayMs);
        continue;
      }
      throw new ProviderError(message, true, `HTTP_${res.status}`, res.status, retryAfterMs);
    }
    if (/credit|balance|insufficient funds|quota/i.test(detail)) throw new ProviderError(message, false, 'OUT_OF_CREDITS', res.status);
    throw new ProviderError(message, false, `HTTP_${res.status}`, res.status);
  }
}
