import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, unlink, access } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeToFile } from './pipe-to-file.js';
import type { SignOptions, Storage, StoredObject } from './types.js';

/**
 * Media on local disk under DATA_DIR/objects. Signed URLs point at the app's own /media route,
 * which checks an HMAC over the key, the expiry and the download name.
 */
export class LocalStorage implements Storage {
  readonly driver = 'local' as const;
  /** Served by this app under /media. */
  readonly mediaOrigins: string[] = [];
  readonly root: string;

  constructor(dataDir: string, private secret: string, private defaultTtlS: number, private baseUrl = '') {
    this.root = path.resolve(dataDir, 'objects');
  }

  filePath(key: string): string {
    const full = path.resolve(this.root, key);
    if (!full.startsWith(this.root + path.sep)) throw new Error(`Bad storage key: ${key}`);
    return full;
  }

  async put(key: string, body: Readable | Buffer, _contentType: string): Promise<void> {
    const dest = this.filePath(key);
    await mkdir(path.dirname(dest), { recursive: true });
    // Write beside the destination and rename, so a failed write never leaves a half object.
    const tmp = `${dest}.${randomUUID()}.part`;
    try {
      await pipeToFile(Buffer.isBuffer(body) ? Readable.from([body]) : body, tmp);
      await rename(tmp, dest);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<Readable> {
    const file = this.filePath(key);
    await access(file);
    return createReadStream(file);
  }

  async size(key: string): Promise<number | null> {
    try {
      return (await stat(this.filePath(key))).size;
    } catch {
      return null;
    }
  }

  async delete(key: string): Promise<void> {
    await unlink(this.filePath(key)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  async deleteMany(keys: string[]): Promise<void> {
    await Promise.all(keys.map((k) => this.delete(k)));
  }

  async deletePrefix(prefix: string): Promise<void> {
    await rm(this.filePath(prefix.replace(/\/$/, '')), { recursive: true, force: true });
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    // Keys are paths; list the folder the prefix names (or sits in) and keep what matches.
    const base = prefix.endsWith('/') ? prefix.slice(0, -1) : path.posix.dirname(prefix);
    const start = base === '.' ? this.root : this.filePath(base);
    const walk = async function* (dir: string, rel: string): AsyncGenerator<string> {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) yield* walk(path.join(dir, e.name), r);
        else if (e.isFile() && !e.name.endsWith('.part')) yield r;
      }
    };
    for await (const rel of walk(start, base === '.' ? '' : base)) {
      if (!rel.startsWith(prefix)) continue;
      const s = await stat(this.filePath(rel)).catch(() => null);
      if (s) yield { key: rel, size: s.size };
    }
  }

  sign(key: string, exp: number, dl: string, scope = ''): string {
    // A scope is signed too, so a scoped URL cannot be passed off as an unscoped one.
    return createHmac('sha256', this.secret).update(`${key}\n${exp}\n${dl}${scope ? `\n${scope}` : ''}`).digest('base64url');
  }

  async signedUrl(key: string, opts: SignOptions = {}): Promise<string> {
    const exp = Math.floor(Date.now() / 1000) + (opts.expiresInS ?? this.defaultTtlS);
    const dl = opts.downloadName ?? '';
    const scope = opts.scope ?? '';
    const q = new URLSearchParams({ exp: String(exp), sig: this.sign(key, exp, dl, scope) });
    if (dl) q.set('dl', dl);
    if (scope) q.set('scope', scope);
    return `${this.baseUrl}/media/${key.split('/').map(encodeURIComponent).join('/')}?${q}`;
  }

  /** Checks a /media request; true when the signature is valid and unexpired (its scope is the route's to check). */
  verify(key: string, exp: string | undefined, sig: string | undefined, dl: string | undefined, scope?: string): boolean {
    const expN = Number(exp);
    if (!sig || !Number.isInteger(expN) || expN < Date.now() / 1000) return false;
    const want = Buffer.from(this.sign(key, expN, dl ?? '', scope ?? ''));
    const got = Buffer.from(sig);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  async check(): Promise<void> {
    await access(this.root);
  }

  async ensureReady(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }
}
