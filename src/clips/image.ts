import { fileTypeFromBuffer, fileTypeFromFile } from 'file-type';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { UserError } from '../platform/errors.js';
import { bytes } from '../platform/format.js';
import { imageWork, loadSharp, type Metadata } from '../platform/image-work.js';
import { spoolUpload } from '../storage/spool.js';

export { spoolUpload, type SpooledFile } from '../storage/spool.js';

export interface NormalizedImage {
  /** The photo upright and stripped, uncropped (scaled to cover any frame of the video's size): re-cropped when the focal point moves. */
  source: Buffer;
  /** The source cropped to the video's frame around the focal point (the centre, for a new photo). */
  image: Buffer;
  ext: 'jpg';
  contentType: 'image/jpeg';
  thumb: Buffer;
  width: number;
  height: number;
}

export interface NormalizeOptions {
  /** The video size the image is fitted to (cover). */
  width: number;
  height: number;
  /** Refused above this many pixels, judged from the header before anything is decoded. */
  maxPixels: number;
  /** Refused when the short side has fewer pixels than this (from the header too). */
  minSide?: number;
  /** For a stream or buffer: refused above this many bytes (a stream while it arrives). */
  maxBytes?: number;
  /** Width of the WebP thumbnail (default 360). */
  thumbWidth?: number;
}

/** A stream (spooled to a temp file first), bytes in memory, or a file already on disk. */
export type ImageInput = Readable | Buffer | { path: string };

/** HEIC needs libheif with an HEVC decoder, which sharp's prebuilt binaries leave out. */
export async function heicSupported(): Promise<boolean> {
  const sharp = await loadSharp();
  return Boolean(sharp.format.heif?.input?.fileSuffix?.includes('.heic'));
}

let accepted: Promise<{ types: Record<string, string>; names: string }> | null = null;

/**
 * Types accepted, decided by the file's bytes (the key is file-type's mime, the value sharp's format),
 * and how to name them: known once sharp is loaded, on the first image.
 */
function acceptedTypes(): Promise<{ types: Record<string, string>; names: string }> {
  accepted ??= heicSupported().then((heic) => ({
    types: { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp', ...(heic ? { 'image/heic': 'heif', 'image/heif': 'heif' } : {}) },
    names: heic ? 'JPEG, PNG, WebP or HEIC' : 'JPEG, PNG or WebP',
  }));
  return accepted;
}
const KNOWN_KINDS: Record<string, string> = {
  'application/pdf': 'a PDF document',
  'image/gif': 'a GIF',
  'image/heic': 'a HEIC photo, which we cannot read yet (on an iPhone, choose "Most Compatible" in Settings › Camera › Formats, or share it as JPEG)',
  'image/heif': 'a HEIF photo, which we cannot read yet',
  'image/avif': 'an AVIF image',
  'image/tiff': 'a TIFF image',
  'image/bmp': 'a BMP image',
};

function refuse(message: string, status = 400, code = 'bad_image'): UserError {
  return new UserError(message, status, code);
}

async function head(src: string | Buffer, n: number): Promise<Buffer> {
  if (Buffer.isBuffer(src)) return src.subarray(0, n);
  const fh = await open(src, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The image type by its magic numbers, never by its name or declared type. */
async function sniff(src: string | Buffer): Promise<string> {
  const { types: ACCEPTED_IMAGE_TYPES, names: ACCEPTED_NAMES } = await acceptedTypes();
  const found = Buffer.isBuffer(src) ? await fileTypeFromBuffer(src) : await fileTypeFromFile(src);
  if (found && ACCEPTED_IMAGE_TYPES[found.mime]) return found.mime;
  const text = (await head(src, 1024)).toString('utf8').toLowerCase();
  if ((!found || found.ext === 'xml') && text.includes('<svg')) {
    throw refuse(`SVG and other drawing files are not accepted. Upload a ${ACCEPTED_NAMES} photo.`, 415, 'unsupported_type');
  }
  if (found) {
    const kind = KNOWN_KINDS[found.mime] ?? `a .${found.ext} file`;
    throw refuse(`That file is ${kind}, not a photo we can use. Upload a ${ACCEPTED_NAMES} image.`, 415, 'unsupported_type');
  }
  throw refuse(`That file is not an image we can read. Upload a ${ACCEPTED_NAMES} photo.`, 415, 'unsupported_type');
}

/**
 * The shortest side a photo may have. Runway and Luma document no minimum (specs/), but a video
 * made from fewer pixels than this is a blur at any of our sizes, so it is refused before anything
 * is stored or charged.
 */
export const MIN_PHOTO_SIDE = 300;

/** Reads only the header: the pixel limits are enforced before a single pixel is decoded. */
async function checkHeader(src: string | Buffer, mime: string, maxPixels: number, minSide = 0): Promise<void> {
  const [sharp, { types: ACCEPTED_IMAGE_TYPES }] = await Promise.all([loadSharp(), acceptedTypes()]);
  let meta: Metadata;
  try {
    meta = await sharp(src, { limitInputPixels: false }).metadata();
  } catch {
    throw refuse('That image is damaged and cannot be opened. Try exporting it again.');
  }
  if (meta.format !== ACCEPTED_IMAGE_TYPES[mime] || !meta.width || !meta.height) {
    throw refuse('That image is damaged and cannot be opened. Try exporting it again.');
  }
  if (meta.width * meta.height > maxPixels) {
    const mp = Math.round(maxPixels / 1_000_000);
    throw refuse(`That image is too large (${meta.width}×${meta.height} pixels). The limit is ${mp} megapixels.`, 413, 'too_many_pixels');
  }
  if (Math.min(meta.width, meta.height) < minSide) {
    throw refuse(`That photo is too small (${meta.width}×${meta.height} pixels). A photo needs at least ${minSide} pixels on its short side to make a video.`, 422, 'too_small');
  }
}

/** Sniffing and the header wait for a slot too: outside it, a burst's header reads alone held pages up. */
function normalizeFrom(src: string | Buffer, opts: NormalizeOptions): Promise<NormalizedImage> {
  return imageWork.run(() => checkAndReencode(src, opts));
}

async function checkAndReencode(src: string | Buffer, opts: NormalizeOptions): Promise<NormalizedImage> {
  const size = Buffer.isBuffer(src) ? src.length : (await stat(src)).size;
  if (size === 0) throw refuse('The file is empty. Choose a photo and try again.', 400, 'empty_file');
  if (opts.maxBytes !== undefined && size > opts.maxBytes) {
    throw refuse(`That file is too large. The limit is ${bytes(opts.maxBytes)}.`, 413, 'too_large');
  }
  const mime = await sniff(src);
  await checkHeader(src, mime, opts.maxPixels, opts.minSide);
  const sharp = await loadSharp();
  let source: Buffer;
  try {
    // rotate() turns it upright by EXIF; sharp writes no metadata (EXIF, GPS, XMP) unless asked.
    // The source keeps the whole photo, just big enough to fill a frame of either orientation.
    const side = Math.max(opts.width, opts.height);
    source = await sharp(src, { limitInputPixels: opts.maxPixels, failOn: 'error', sequentialRead: true })
      .rotate()
      .flatten({ background: '#000000' })
      .resize(side, side, { fit: 'outside', withoutEnlargement: true })
      .jpeg(JPEG)
      .toBuffer();
  } catch {
    throw refuse('That image is damaged or incomplete (it may not have finished uploading). Try another copy.');
  }
  const { image, thumb } = await cropToFrame(source, { width: opts.width, height: opts.height, thumbWidth: opts.thumbWidth });
  return { source, image, ext: 'jpg', contentType: 'image/jpeg', thumb, width: opts.width, height: opts.height };
}

// libjpeg-turbo with optimised Huffman tables: mozjpeg saved a few percent of bytes for five
// times the CPU (51 ms against 8 ms for a 720p photo), which capped uploads under load.
const JPEG = { quality: 88, optimiseCoding: true } as const;

/** A focal point in a photo, each 0–1 from the top left. */
export interface Focus {
  x: number;
  y: number;
}

/**
 * Where the frame sits in the photo scaled to cover it: centred on the focal point, moved only as
 * far as it must to stay inside the photo. Pixels of the scaled photo.
 */
export function frameAround(photo: { width: number; height: number }, frame: { width: number; height: number }, focus: Focus) {
  const scale = Math.max(frame.width / photo.width, frame.height / photo.height);
  const scaled = { width: Math.max(frame.width, Math.round(photo.width * scale)), height: Math.max(frame.height, Math.round(photo.height * scale)) };
  const clamp = (v: number, max: number) => Math.min(max, Math.max(0, Math.round(v)));
  return {
    scaled,
    left: clamp(focus.x * scaled.width - frame.width / 2, scaled.width - frame.width),
    top: clamp(focus.y * scaled.height - frame.height / 2, scaled.height - frame.height),
  };
}

/** The clip's image and thumbnail: the source cropped to the video's frame around the focal point (default the centre). */
export async function cropToFrame(source: Buffer, opts: { width: number; height: number; thumbWidth?: number; focus?: Focus }): Promise<{ image: Buffer; thumb: Buffer }> {
  const sharp = await loadSharp();
  const meta = await sharp(source).metadata();
  const { scaled, left, top } = frameAround({ width: meta.width!, height: meta.height! }, opts, opts.focus ?? { x: 0.5, y: 0.5 });
  const image = await sharp(source).resize(scaled.width, scaled.height, { fit: 'fill' }).extract({ left, top, width: opts.width, height: opts.height }).jpeg(JPEG).toBuffer();
  const thumb = await sharp(image)
    .resize({ width: opts.thumbWidth ?? 360, withoutEnlargement: true })
    .webp({ quality: 72 })
    .toBuffer();
  return { image, thumb };
}

/**
 * Checks and re-encodes an uploaded image: type by its bytes, pixel limit from the header,
 * decoded, upright, stripped of metadata, fitted (cover) to the video size, JPEG plus a WebP
 * thumbnail. Bad input is a UserError (4xx) with a message for the person. A stream is spooled
 * to a temp file (counting bytes against maxBytes) and the temp file is removed in every case.
 */
export async function normalizeImage(input: ImageInput, opts: NormalizeOptions): Promise<NormalizedImage> {
  if (Buffer.isBuffer(input)) return normalizeFrom(input, opts);
  if ('path' in input && typeof input.path === 'string' && !('pipe' in input)) return normalizeFrom(input.path, opts);
  const spooled = await spoolUpload(input as Readable, opts.maxBytes ?? Number.MAX_SAFE_INTEGER);
  try {
    return await normalizeFrom(spooled.path, opts);
  } finally {
    await spooled.cleanup();
  }
}
