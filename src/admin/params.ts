import { z } from 'zod';
import { NotFoundError } from '../platform/errors.js';
import { parseForm, readForm } from '../platform/forms.js';
import { isUuid } from '../platform/ids.js';

/** The admin pages' id, page and search parameters, read with the one form reader (platform/forms.ts). */

const uuid = z.string().refine(isUuid);
const page = z.object({ page: z.coerce.number().int().min(1).max(100_000) });

/** The route's id param; a 404 when it cannot be an id. */
export function uuidParam(params: unknown, name = 'id'): string {
  return readForm(z.object({ [name]: uuid }), params, () => new NotFoundError())[name] as string;
}

/** The list page asked for; the first when it is missing or not a page number. */
export function pageParam(query: unknown): number {
  const form = parseForm(page, query);
  return form.ok ? form.data.page : 1;
}

/** A search or filter text, trimmed and cut to `max`; empty when missing. */
export function textParam(query: unknown, name: string, max = 200): string {
  const form = parseForm(z.object({ [name]: z.string() }), query);
  return form.ok ? (form.data[name] as string).trim().slice(0, max) : '';
}
