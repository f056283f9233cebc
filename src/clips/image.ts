import sharp from 'sharp';
import type { Readable } from 'node:stream';
import { UserError } from '../platform/errors.js';

export interface NormalizedImage {
  image: Buffer;
  ext: 'jpg';
  contentType: 'image/jpeg';
  thumb: Buffer;
  width: number;
  height: number;
}

export interface NormalizeOptions {
  width: number;
  height: number;
  maxPixels: number;
}

/**
 * Decodes an uploaded image, turns it upright, strips metadata and fits it to the video size.
 * (The projects feature hardens this: byte sniffing, limits while streaming, temp files.)
 */
export async function normalizeImage(input: Readable | Buffer, opts: NormalizeOptions): Promise<NormalizedImage> {
  const chunks: Buffer[] = [];
  if (Buffer.isBuffer(input)) chunks.push(input);
  else for await (const c of input) chunks.push(c as Buffer);
  const bytes = Buffer.concat(chunks);
  if (bytes.length === 0) throw new UserError('The file is empty.');
  try {
    const pipeline = sharp(bytes, { limitInputPixels: opts.maxPixels, failOn: 'error' }).rotate();
    const image = await pipeline.clone().resize(opts.width, opts.height, { fit: 'cover' }).jpeg({ quality: 88 }).toBuffer();
    const thumb = await sharp(image).resize(320, 320, { fit: 'inside' }).webp({ quality: 75 }).toBuffer();
    return { image, ext: 'jpg', contentType: 'image/jpeg', thumb, width: opts.width, height: opts.height };
  } catch {
    throw new UserError('That file is not an image we can read. Use a JPEG, PNG or WebP photo.');
  }
}
