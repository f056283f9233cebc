import { ProviderError } from './types.js';

// One HTTP call to a video provider's API with its SDK's retry rules: exponential backoff with
// jitter, Retry-After honoured up to the cap (a longer one is carried on the error for the job to
// wait out without a slot), and 4xx final. Runway and Luma differ only in the options.

export interface ProviderHttpOptions {
  baseUrl: string;
  apiKey: string;
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  /** Called before each retry (logging). */
  onRetry?: (info: { method: string; path: string; attempt: number; delayMs: number; reason: string }) => void;
}

export interface VendorRules {
  vendor: string;
  headers: Record<string, string>;
  retryStatus(status: number): boolean;
  /** Whether a request whose answer was lost (network error, timeout) may be sent again. */
  resendAfterLoss(method: string): boolean;
  describe(status: number, body: unknown, text: string): string;
  /** A final 4xx's code (e.g. OUT_OF_CREDITS); HTTP_<status> when undefined. */
  codeFor?(status: number, detail: string): string | undefined;
}

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Exponential backoff with up to 50% jitter, as the vendors' SDKs do: 0.5 s × 2^n, capped. */
export function backoffMs(attempt: number, baseMs = 500, capMs = 8000): number {
  const raw = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(raw * (1 - Math.random() * 0.5));
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export async function providerRequest(rules: VendorRules, o: ProviderHttpOptions, method: HttpMethod, path: string, body?: object): Promise<{ status: number; body: unknown }> {
  const maxRetries = o.maxRetries ?? 2;
  const capMs = o.maxDelayMs ?? 8000;
  const url = `${o.baseUrl.replace(/\/$/, '')}${path}`;
  const headers: Record<string, string> = { authorization: `Bearer ${o.apiKey}`, ...rules.headers, accept: 'application/json' };
  if (body) headers['content-type'] = 'application/json';
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(o.timeoutMs ?? 30_000) });
    } catch (err) {
      const reason = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name ?? 'network error';
      if (attempt < maxRetries && rules.resendAfterLoss(method)) {
        const delayMs = backoffMs(attempt, o.baseDelayMs, capMs);
        o.onRetry?.({ method, path, attempt: attempt + 1, delayMs, reason });
        await sleep(delayMs);
        continue;
      }
      throw new ProviderError(`${rules.vendor} ${method} ${path} failed: ${reason}`, true, 'NETWORK');
    }
    const text = res.status === 204 ? '' : await res.text().catch(() => '');
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (res.ok) return { status: res.status, body: parsed };
    const detail = rules.describe(res.status, parsed, text);
    const message = `${rules.vendor} ${method} ${path} answered ${res.status}: ${detail}`;
    if (rules.retryStatus(res.status)) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      if (attempt < maxRetries && (retryAfterMs === undefined || retryAfterMs <= capMs)) {
        const delayMs = retryAfterMs ?? backoffMs(attempt, o.baseDelayMs, capMs);
        o.onRetry?.({ method, path, attempt: attempt + 1, delayMs, reason: `HTTP ${res.status}` });
        await sleep(delayMs);
        continue;
      }
      throw new ProviderError(message, true, `HTTP_${res.status}`, res.status, retryAfterMs);
    }
    // Other 5xx: the job may try later; 4xx are the caller's fault and final.
    throw new ProviderError(message, res.status >= 500, rules.codeFor?.(res.status, detail) ?? `HTTP_${res.status}`, res.status);
  }
}
