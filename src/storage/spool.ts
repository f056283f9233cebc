import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { TooLargeError } from '../platform/errors.js';
import { bytes as sizeText } from '../platform/format.js';
import { pipeToFile } from './pipe-to-file.js';

export interface SpooledFile {
  path: string;
  bytes: number;
  /** Removes the temp file; safe to call twice. */
  cleanup(): Promise<void>;
}

export interface SpoolOptions {
  /** The 413 message; says what the limit is by default. */
  tooLargeMessage?: string;
}

/** Where uploads wait while they are checked; read per call so a test can point TMPDIR elsewhere. */
export function spoolDir(): string {
  return path.join(os.tmpdir(), 'echoes-uploads');
}

/**
 * Streams an upload to a private temp file, counting bytes, and fails with a 413 the moment the
 * count passes `maxBytes` instead of after the whole body has arrived. Nothing stays in memory
 * but the chunk in flight; on any failure the temp file is gone before the error surfaces.
 */
export async function spoolUpload(source: Readable, maxBytes: number, opts: SpoolOptions = {}): Promise<SpooledFile> {
  const dir = spoolDir();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${randomUUID()}.upload`);
  const tooLarge = () => new TooLargeError(opts.tooLargeMessage ?? `That file is too large. The limit is ${sizeText(maxBytes)}.`, 'too_large');
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(tooLarge());
      done(null, chunk);
    },
  });
  const cleanup = () => rm(file, { force: true });
  try {
    await pipeToFile(source, file, { flags: 'wx', mode: 0o600 }, counter);
    // Multipart parsers cut a part at their own limit and end it normally, marking it truncated.
    if ((source as { truncated?: boolean }).truncated) throw tooLarge();
  } catch (err) {
    await cleanup();
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
    throw err;
  }
  return { path: file, bytes, cleanup };
}
