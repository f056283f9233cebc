import { crc32 } from 'node:zlib';
import type { DB } from '../../src/platform/db.js';
import { saveSettings, type Settings } from '../../src/settings/service.js';

/** A PNG that is only a header claiming `width`×`height` pixels: decoding it refuses with 413 (too many pixels). */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.alloc(0)), chunk('IEND', Buffer.alloc(0))]);
}

export function setLimits(db: DB, limits: Partial<Settings>): Promise<void> {
  return saveSettings(db, limits);
}

/** Retry-After as a number of seconds, checked to be a sensible window (1 s .. 1 h). */
export function retryAfterS(headers: Record<string, unknown>): number {
  const s = Number(headers['retry-after']);
  if (!Number.isInteger(s) || s < 1 || s > 3600) throw new Error(`bad Retry-After: ${String(headers['retry-after'])}`);
  return s;
}
