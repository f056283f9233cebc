import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { spoolUpload, type SpooledFile } from '../clips/image.js';
import { UserError } from '../platform/errors.js';
import { bytes } from '../platform/format.js';

/** What became of one file of the request, in the order the files came. */
export interface PhotoOutcome<T> {
  index: number;
  /** The file's name as the browser gave it (for the refusal), trimmed and shortened. */
  name: string;
  made?: T;
  refused?: { message: string; status: number };
}

export interface ReadPhotosOptions {
  maxBytes: number;
  maxPhotos: number;
  /** Runs before a file is read: counts it against the person's limits, or throws the refusal. */
  admit(): Promise<void>;
  /** What to do with a file once it is on disk (the temp file is removed after). */
  make(file: SpooledFile, index: number): Promise<unknown>;
  /** A failure that is not a refusal for the person (logged; the photo is named as not saved). */
  onUnexpected(err: unknown, index: number): void;
}

type PartsOptions = NonNullable<Parameters<FastifyRequest['parts']>[0]>;

async function drain(stream: Readable): Promise<void> {
  if (stream.readableEnded || stream.destroyed) return;
  for await (const _ of stream) void _;
}

function fileName(raw: string | undefined, index: number): string {
  const name = (raw ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (!name) return `Photo ${index + 1}`;
  return name.length > 80 ? `${name.slice(0, 77)}…` : name;
}

const NOT_SAVED = { message: 'This photo could not be saved just now. Please try it again in a moment.', status: 503 };

/**
 * Reads the multipart body's `image` files one after the other as they stream in: each is admitted
 * (the hourly limit counts it), spooled to a temp file with the byte limit applied while it
 * arrives, and handed to `make` without waiting, so the next file streams while this one is
 * checked. A bad file is refused alone with its reason; the others go on. Resolves when every
 * file has been made or refused.
 */
export async function readPhotos<T>(req: FastifyRequest, opts: ReadPhotosOptions): Promise<PhotoOutcome<T>[]> {
  const outcomes: Array<Promise<PhotoOutcome<T>>> = [];
  const refused = (index: number, name: string, err: unknown): PhotoOutcome<T> => {
    if (err instanceof UserError) return { index, name, refused: { message: err.message, status: err.statusCode } };
    opts.onUnexpected(err, index);
    return { index, name, refused: NOT_SAVED };
  };
  const tooLarge = `This file is too large. The limit is ${bytes(opts.maxBytes)} a photo.`;
  let index = 0;
  try {
    const options: PartsOptions & { throwFileSizeLimit: boolean } = {
      // One file past the cap is read so that it can be named; busboy stops at the next one.
      limits: { files: opts.maxPhotos + 1, fileSize: opts.maxBytes, fields: 10, fieldSize: 16 * 1024, parts: opts.maxPhotos + 12 },
      // A file over the limit is cut and marked (spoolUpload refuses it), not a failure of the
      // whole request. @fastify/multipart reads this option but its types leave it out.
      throwFileSizeLimit: false,
    };
    const parts = req.parts(options);
    for await (const part of parts) {
      if (part.type !== 'file') continue;
      if (part.fieldname !== 'image') {
        await drain(part.file);
        continue;
      }
      const i = index++;
      const name = fileName(part.filename, i);
      if (i >= opts.maxPhotos) {
        await drain(part.file);
        outcomes.push(Promise.resolve(refused(i, name, new UserError(`At most ${opts.maxPhotos} photos can be added at once. Add this one again on its own.`, 413, 'too_many_files'))));
        continue;
      }
      let spooled: SpooledFile;
      try {
        await opts.admit();
        spooled = await spoolUpload(part.file, opts.maxBytes, { tooLargeMessage: tooLarge });
      } catch (err) {
        await drain(part.file);
        outcomes.push(Promise.resolve(refused(i, name, err)));
        continue;
      }
      const file = spooled;
      outcomes.push(
        opts
          .make(file, i)
          .then((made) => ({ index: i, name, made: made as T }), (err: unknown) => refused(i, name, err))
          .finally(() => file.cleanup()),
      );
    }
  } catch (err) {
    // The files limit ends the reading; what was read is still made. Anything else fails the request.
    const settled = await Promise.all(outcomes);
    if ((err as { code?: string }).code !== 'FST_FILES_LIMIT') {
      if (settled.some((o) => o.made)) req.log.warn({ err }, 'photo upload ended early; the photos already read were kept');
      else throw err;
    }
    return settled;
  }
  return Promise.all(outcomes);
}
