import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const MAX_MOOV = 64 * 1024 * 1024;

/** The movie header's length in seconds (`mvhd` inside `moov`), or null when it is not there. */
export function durationFromMoov(moov: Buffer): number | null {
  let at = moov.readUInt32BE(0) === 1 ? 16 : 8;
  while (at + 8 <= moov.length) {
    let size = moov.readUInt32BE(at);
    const type = moov.toString('latin1', at + 4, at + 8);
    let header = 8;
    if (size === 1 && at + 16 <= moov.length) {
      size = Number(moov.readBigUInt64BE(at + 8));
      header = 16;
    }
    if (size < header) return null;
    if (type === 'mvhd') {
      const body = at + header;
      const version = moov[body];
      if (version === 1 && body + 32 <= moov.length) {
        const timescale = moov.readUInt32BE(body + 20);
        const duration = Number(moov.readBigUInt64BE(body + 24));
        return timescale ? duration / timescale : null;
      }
      if (body + 20 <= moov.length) {
        const timescale = moov.readUInt32BE(body + 12);
        const duration = moov.readUInt32BE(body + 16);
        return timescale ? duration / timescale : null;
      }
      return null;
    }
    at += size;
  }
  return null;
}

/**
 * Passes an MP4 through unchanged while reading its length from the `moov` box on the way (no
 * second read of the file, no ffprobe process): `durationS` is set once the box has gone by.
 */
export class Mp4DurationTap extends Transform {
  durationS: number | null = null;
  private head = Buffer.alloc(0);
  private skip = 0;
  private moov: Buffer[] | null = null;
  private moovLeft = 0;
  private done = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (!this.done) this.scan(chunk);
    cb(null, chunk);
  }

  private scan(chunk: Buffer): void {
    let data = chunk;
    while (data.length && !this.done) {
      if (this.moov) {
        const take = data.subarray(0, this.moovLeft);
        this.moov.push(take);
        this.moovLeft -= take.length;
        data = data.subarray(take.length);
        if (this.moovLeft === 0) {
          this.durationS = durationFromMoov(Buffer.concat(this.moov));
          this.moov = null;
          this.done = true;
        }
        continue;
      }
      if (this.skip) {
        const n = Math.min(this.skip, data.length);
        this.skip -= n;
        data = data.subarray(n);
        continue;
      }
      this.head = Buffer.concat([this.head, data]);
      data = Buffer.alloc(0);
      if (this.head.length < 16) return;
      let size = this.head.readUInt32BE(0);
      const type = this.head.toString('latin1', 4, 8);
      if (size === 1) size = Number(this.head.readBigUInt64BE(8));
      if (size < 8 || size === 0) {
        this.done = true; // to the end of the file, or broken: give up quietly
        return;
      }
      const rest = this.head;
      this.head = Buffer.alloc(0);
      if (type === 'moov') {
        if (size > MAX_MOOV) {
          this.done = true;
          return;
        }
        this.moov = [];
        this.moovLeft = size;
      } else {
        this.skip = size;
      }
      data = rest;
    }
  }
}

/**
 * The same storage, but `put` measures the MP4 going in; `durationS()` is the last put's length.
 * (Wraps the store handed to the download, so the download itself stays as it is.)
 */
export function measuringStorage<S extends { put(key: string, body: Readable | Buffer, contentType: string): Promise<void> }>(storage: S): { storage: S; durationS(): number | null } {
  let tap: Mp4DurationTap | undefined;
  const wrapped = Object.create(storage) as S;
  wrapped.put = (key, body, contentType) => {
    tap = new Mp4DurationTap();
    if (Buffer.isBuffer(body)) {
      tap.end(body);
    } else {
      pipeline(body, tap).catch(() => {}); // an error destroys both; put sees it through the tap
    }
    return storage.put(key, tap, contentType);
  };
  return { storage: wrapped, durationS: () => tap?.durationS ?? null };
}
