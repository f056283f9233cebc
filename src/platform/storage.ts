import type { Readable } from 'node:stream';

// The platform holds the storage interface; the drivers (src/storage/) implement it, so the
// platform never imports a feature.
export interface SignOptions {
  expiresInS?: number;
  /** When set, the browser downloads the object under this file name. */
  downloadName?: string;
  /**
   * What the URL is valid for besides its expiry, as `<kind>:<value>` (`share:<token>`: only while
   * that public link is shared). The local driver checks it on every request (src/storage/routes.ts);
   * S3 cannot, so such URLs are also given a short expiry.
   */
  scope?: string;
}

export interface StoredObject {
  key: string;
  size: number;
}

/** The one small interface over media storage; keys follow the design's layout. */
export interface Storage {
  readonly driver: 'local' | 's3';
  put(key: string, body: Readable | Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<Readable>;
  size(key: string): Promise<number | null>;
  delete(key: string): Promise<void>;
  deleteMany(keys: string[]): Promise<void>;
  deletePrefix(prefix: string): Promise<void>;
  /** Every object whose key starts with `prefix`, a page at a time. */
  list(prefix: string): AsyncIterable<StoredObject>;
  signedUrl(key: string, opts?: SignOptions): Promise<string>;
  /** Throws when the store cannot be reached (health check). */
  check(): Promise<void>;
  /** Creates what the driver needs (a bucket, a folder). */
  ensureReady(): Promise<void>;
  /** Origins other than this app's that browsers load media from (the Content-Security-Policy). */
  readonly mediaOrigins: string[];
}

/** The object is not there (local ENOENT, S3 NoSuchKey or 404), as opposed to the store being unreachable. */
export function isMissingObject(err: unknown): boolean {
  const e = err as { code?: string; name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return e?.code === 'ENOENT' || e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}
