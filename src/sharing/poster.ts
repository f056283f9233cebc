import type { Storage } from '../platform/storage.js';
import { imageWork, loadSharp } from '../platform/image-work.js';

/** The share page downloads nothing else before play, on a phone's connection: issue 31 item 3. */
export const POSTER_MAX_BYTES = 100 * 1024;
/** Sharp enough across a phone held upright (390 px at 3x is 1170) once the JPEG is this size. */
const LONG_SIDE = 960;
const QUALITIES = [80, 70, 60, 50, 40];
const MAX_KEPT = 100;

/** The poster's pixels: the film's frame shape, its long side LONG_SIDE. */
export function posterSize(ratio: { width: number; height: number }): { width: number; height: number } {
  const scale = LONG_SIDE / Math.max(ratio.width, ratio.height);
  const even = (n: number) => Math.max(2, 2 * Math.round((n * scale) / 2));
  return { width: even(ratio.width), height: even(ratio.height) };
}

/** Posters made, by still and size: a shared link is opened many times, its still is encoded once. */
const made = new Map<string, Promise<Buffer>>();

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The film's poster: the first clip's still cut to the film's frame (as the clip shows it), as a
 * JPEG of at most POSTER_MAX_BYTES (the quality steps down until it fits). Kept in this process.
 */
export function filmPoster(storage: Storage, imageKey: string, size: { width: number; height: number }): Promise<Buffer> {
  const key = `${imageKey}|${size.width}x${size.height}`;
  let poster = made.get(key);
  if (!poster) {
    if (made.size >= MAX_KEPT) made.delete(made.keys().next().value!);
    poster = storage.get(imageKey).then(readAll).then((still) =>
      imageWork.run(async () => {
        const sharp = await loadSharp();
        let out = Buffer.alloc(0);
        for (const quality of QUALITIES) {
          out = await sharp(still).resize(size.width, size.height, { fit: 'cover' }).jpeg({ quality, mozjpeg: true, progressive: true }).toBuffer();
          if (out.length <= POSTER_MAX_BYTES) break;
        }
        return out;
      }),
    );
    made.set(key, poster);
    poster.catch(() => made.delete(key));
  }
  return poster;
}
