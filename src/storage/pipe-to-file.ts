import { createWriteStream } from 'node:fs';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Streams `source` (through `steps`) into a new file. On failure it settles only once the file is
 * closed: `pipeline` rejects at the first error without waiting for the file, so a failure while
 * the file's open is still in flight would let the file appear after the caller's cleanup.
 */
export async function pipeToFile(source: Readable, file: string, opts: { flags?: string; mode?: number } = {}, ...steps: Transform[]): Promise<void> {
  const sink = createWriteStream(file, opts);
  try {
    await pipeline([source, ...steps, sink]);
  } catch (err) {
    if (!sink.closed) await new Promise((closed) => sink.once('close', closed));
    throw err;
  }
}
