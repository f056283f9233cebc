/** Links for the admin's paginated lists (users, failed jobs, the audit log). */

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
