import type { Readable } from 'node:stream';

export interface SignOptions {
  expiresInS?: number;
  /** When set, the browser downloads the object under this file name. */
  downloadName?: string;
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
}

export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
