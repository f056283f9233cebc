import { providerRequest, type HttpMethod, type ProviderHttpOptions, type VendorRules } from './http-retry.js';

export type LumaHttpOptions = ProviderHttpOptions;

const LUMA: VendorRules = {
  vendor: 'Luma',
  headers: {},
  // What Luma's SDK retries (specs/luma.md, "Transport"): 408, 409, 429, 5xx and lost connections.
  retryStatus: (s) => s === 408 || s === 409 || s === 429 || s >= 500,
  // No idempotency key: a POST whose answer was lost may have started a video, so it is not sent again.
  resendAfterLoss: (method) => method !== 'POST',
  describe(status, body, text) {
    const b = body as { detail?: unknown; message?: unknown; error?: unknown } | null;
    const d = b?.detail ?? b?.message ?? b?.error;
    if (typeof d === 'string') return d;
    if (d !== undefined) return JSON.stringify(d).slice(0, 300);
    return text.slice(0, 200) || `HTTP ${status}`;
  },
  // Out of Luma credits: a 4xx saying so (status not confirmed), told apart for failover and the admin.
  codeFor: (status, detail) => (status < 500 && /credit|balance|insufficient funds|quota/i.test(detail) ? 'OUT_OF_CREDITS' : undefined),
};

/** One call to Luma's Dream Machine API with the spec's headers and retry rules (60 s timeout, as its SDK). */
export async function lumaRequest(o: LumaHttpOptions, method: HttpMethod, path: string, body?: object): Promise<{ status: number; body: unknown }> {
  return providerRequest(LUMA, { timeoutMs: 60_000, ...o }, method, path, body);
}
