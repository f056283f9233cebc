import { providerRequest, type HttpMethod, type ProviderHttpOptions, type VendorRules } from './http-retry.js';

export { backoffMs, parseRetryAfter } from './http-retry.js';

export const RUNWAY_VERSION = '2024-11-06';
/** Overload and rate limits: worth another try (specs/runway.md, "Status codes and retries"). */
const RETRY_STATUS = new Set([429, 502, 503, 504]);

export type RunwayHttpOptions = ProviderHttpOptions;

export interface RunwayResponse {
  status: number;
  body: unknown;
}

const RUNWAY: VendorRules = {
  vendor: 'Runway',
  headers: { 'x-runway-version': RUNWAY_VERSION },
  retryStatus: (s) => RETRY_STATUS.has(s),
  resendAfterLoss: () => true,
  describe(status, body, text) {
    const b = body as { error?: unknown; issues?: Array<{ path?: unknown; message?: unknown }> } | null;
    const base = typeof b?.error === 'string' ? b.error : text.slice(0, 200) || `HTTP ${status}`;
    const issues = Array.isArray(b?.issues) ? b!.issues.map((i) => `${[i.path].flat().join('.')}: ${String(i.message)}`).join('; ') : '';
    return issues ? `${base} (${issues})` : base;
  },
};

/**
 * One call to the Runway API with the spec's headers and retry rules: 429/502/503/504 and network
 * errors are retried with backoff (honouring Retry-After), other 4xx are not.
 */
export async function runwayRequest(o: RunwayHttpOptions, method: HttpMethod, path: string, body?: object): Promise<RunwayResponse> {
  return providerRequest(RUNWAY, o, method, path, body);
}
