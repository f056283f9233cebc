import { ProviderError } from './types.js';

export const RUNWAY_VERSION = '2024-11-06';
/** Overload and rate limits: worth another try (specs/runway.md, "Status codes and retries"). */
const RETRY_STATUS = new Set([429, 502, 503, 504]);

export interface RunwayHttpOptions {
  baseUrl: string;
  apiKey: string;
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  /** Called before each retry (logging). */
  onRetry?: (info: { method: string; path: string; attempt: number; delayMs: number; reason: string }) => void;
}

export interface RunwayResponse {
  status: number;
  body: unknown;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Exponential backoff with up to 50% jitter, as Runway's SDK does: 0.5 s × 2^n, capped. */
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

function describe(status: number, body: unknown, text: string): string {
  const b = body as { error?: unknown; issues?: Array<{ path?: unknown; message?: unknown }> } | null;
  const base = typeof b?.error === 'string' ? b.error : text.slice(0, 200) || `HTTP ${status}`;
  const issues = Array.isArray(b?.issues) ? b!.issues.map((i) => `${[i.path].flat().join('.')}: ${String(i.message)}`).join('; ') : '';
  return issues ? `${base} (${issues})` : base;
}

/**
 * One call to the Runway API with the spec's headers and retry rules: 429/502/503/504 and network
 * errors are retried with backoff (honouring Retry-After), other 4xx are not. A Retry-After longer
 * than the cap is not slept on here: the error carries it so the job can wait without a slot.
 */
export async function runwayRequest(o: RunwayHttpOptions, method: 'GET' | 'POST' | 'DELETE', path: string, body?: object): Promise<RunwayResponse> {
  const maxRetries = o.maxRetries ?? 2;
  const capMs = o.maxDelayMs ?? 8000;
  const url = `${o.baseUrl.replace(/\/$/, '')}${path}`;
  const headers: Record<string, string> = {
    authorization: `Bearer ${o.apiKey}`,
    'x-runway-version': RUNWAY_VERSION,
    accept: 'application/json',
  };
  if (body) headers['content-type'] = 'application/json';
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(o.timeoutMs ?? 30_000) });
    } catch (err) {
      const reason = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name ?? 'network error';
      if (attempt < maxRetries) {
        const delayMs = backoffMs(attempt, o.baseDelayMs, capMs);
        o.onRetry?.({ method, path, attempt: attempt + 1, delayMs, reason });
        await sleep(delayMs);
        continue;
      }
      throw new ProviderError(`Runway ${method} ${path} failed: ${reason}`, true, 'NETWORK');
    }
    const text = res.status === 204 ? '' : await res.text().catch(() => '');
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (res.ok) return { status: res.status, body: parsed };
    const message = `Runway ${method} ${path} answered ${res.status}: ${describe(res.status, parsed, text)}`;
    if (RETRY_STATUS.has(res.status)) {
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
    throw new ProviderError(message, res.status >= 500, `HTTP_${res.status}`, res.status);
  }
}
