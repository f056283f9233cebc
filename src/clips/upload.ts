import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TooLargeError, UserError } from '../platform/errors.js';
import { readForm } from '../platform/forms.js';
import { bytes } from '../platform/format.js';
import type { Settings } from '../settings/service.js';
import { MIN_PHOTO_SIDE, normalizeImage, type NormalizedImage } from './image.js';

export interface ClipUpload {
  image: NormalizedImage;
  prompt: string;
  durationS: number;
}

async function drain(stream: NodeJS.ReadableStream): Promise<void> {
  for await (const _ of stream) void _;
}

/** Form fields after the file: prompt (optional, ≤ 1000) and a duration the admin allows. */
export function parseClipFields(fields: Record<string, string>, settings: Settings): { prompt: string; durationS: number } {
  const schema = z.object({
    prompt: z.string().trim().max(1000, 'The prompt can be at most 1000 characters.').default(''),
    duration: z.coerce
      .number()
      .int()
      .refine((d) => settings.allowedDurations.includes(d), `Choose a length of ${settings.allowedDurations.join(' or ')} seconds.`)
      .default(settings.defaultDuration),
  });
  const form = readForm(schema, { prompt: fields.prompt, duration: fields.duration || undefined });
  return { prompt: form.prompt, durationS: form.duration };
}

/**
 * Reads the multipart form: the `image` file is normalised to the video size as it arrives (a
 * size limit applies while streaming), the other parts are small text fields.
 */
export async function readClipUpload(
  req: FastifyRequest,
  settings: Settings,
  opts: { maxBytes: number; maxPixels: number; width: number; height: number },
): Promise<ClipUpload> {
  let image: NormalizedImage | undefined;
  const fields: Record<string, string> = {};
  const tooLarge = () => new TooLargeError(`That image is too large. The limit is ${bytes(opts.maxBytes)}.`);
  for await (const part of req.parts({ limits: { fileSize: opts.maxBytes, files: 1 } })) {
    if (part.type === 'file') {
      if (part.fieldname !== 'image' || image) {
        await drain(part.file);
        continue;
      }
      try {
        image = await normalizeImage(part.file, { width: opts.width, height: opts.height, maxPixels: opts.maxPixels, minSide: MIN_PHOTO_SIDE });
      } catch (err) {
        if (part.file.truncated) throw tooLarge();
        throw err;
      }
      if (part.file.truncated) throw tooLarge();
    } else if (typeof part.value === 'string') {
      fields[part.fieldname] = part.value;
    }
  }
  if (!image) throw new UserError('Choose an image to animate.', 400, 'no_image');
  return { image, ...parseClipFields(fields, settings) };
}
