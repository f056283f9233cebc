import type { Storage } from './types.js';

/** Signed URLs expire on 10-minute boundaries, so a polled card keeps the same URLs between polls. */
const URL_BUCKET_S = 600;
const SIGNED_MAX = 20_000;

/**
 * Within a bucket the URL of a key is always the same, so it is signed once and remembered (a
 * project page shows ~90 of them; signing was a tenth of its CPU time). Forgotten when the bucket
 * turns.
 */
const signedByStorage = new WeakMap<Storage, { bucket: number; urls: Map<string, string> }>();

/** Which 10-minute bucket signed URLs are in now: within one, stableUrl answers the same for a key. */
export function urlBucket(now = Math.floor(Date.now() / 1000)): number {
  return Math.floor(now / URL_BUCKET_S);
}

/** A signed URL that stays the same for up to 10 minutes (so browsers cache the media too). */
export async function stableUrl(storage: Storage, key: string, ttlS: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const bucket = urlBucket(now);
  const exp = (bucket + 1) * URL_BUCKET_S + ttlS;
  let signed = signedByStorage.get(storage);
  if (!signed || signed.bucket !== bucket || signed.urls.size >= SIGNED_MAX) {
    signed = { bucket, urls: new Map() };
    signedByStorage.set(storage, signed);
  }
  const memo = `${ttlS}|${key}`;
  const hit = signed.urls.get(memo);
  if (hit) return hit;
  const url = await storage.signedUrl(key, { expiresInS: exp - now });
  signed.urls.set(memo, url);
  return url;
}
