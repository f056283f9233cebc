import { NotFoundError } from '../platform/errors.js';
import { isUuid } from '../platform/ids.js';

/** Small request helpers shared by the admin route files. */

export function uuidParam(params: unknown, name = 'id'): string {
  const value = (params as Record<string, unknown>)[name];
  if (!isUuid(value)) throw new NotFoundError();
  return value;
}

export function pageParam(query: unknown): number {
  const n = Number((query as Record<string, unknown>).page);
  return Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
}

export function textParam(query: unknown, name: string, max = 200): string {
  const v = (query as Record<string, unknown>)[name];
  return typeof v === 'string' ? v.trim().slice(0, max) : '';
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
