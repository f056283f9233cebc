import { z } from 'zod';
import { NotFoundError } from '../platform/errors.js';
import { parseForm, readForm } from '../platform/forms.js';
import { isUuid } from '../platform/ids.js';

/** Small request helpers shared by the admin route files, on the one form reader (platform/forms.ts). */

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

export interface Pager {
  page: number;
  pages: number;
  total: number;
  prev: string | null;
  next: string | null;
}

/** Links for a paginated list; `params` are kept in the links (the search, the filter). */
export function pager(path: string, params: Record<string, string>, page: number, perPage: number, total: number): Pager {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const href = (p: number) => {
    const qs = new URLSearchParams({ ...Object.fromEntries(Object.entries(params).filter(([, v]) => v)), ...(p > 1 ? { page: String(p) } : {}) });
    const s = qs.toString();
    return s ? `${path}?${s}` : path;
  };
  return { page, pages, total, prev: page > 1 ? href(page - 1) : null, next: page < pages ? href(page + 1) : null };
}
