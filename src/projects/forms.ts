import { z } from 'zod';
import { findRatio } from '../settings/ratios.js';

export const titleField = z
  .string({ error: 'Give your project a name.' })
  .transform((s) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim())
  .pipe(z.string().min(1, 'Give your project a name.').max(120, 'Keep the name to 120 characters or fewer.'));

export const createForm = z.object({
  title: titleField,
  // Left out, the project takes the admin's default shape.
  ratio: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || findRatio(v) !== undefined, 'Choose one of the offered shapes.')
    .transform((v) => (v ? v : undefined)),
});

export const renameForm = z.object({ title: titleField });
