import type { z } from 'zod';
import { UserError } from './errors.js';

/** A parsed form: its data, or what is wrong with it by field (and the first problem, for one-line answers). */
export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: Record<string, string>; first: string };

/**
 * The one way a form body, query string or route params are read. `errors` maps each field (its
 * path, "form" for the whole) to its first problem, in the words the schema gives.
 */
export function parseForm<S extends z.ZodType>(schema: S, input: unknown): FormResult<z.output<S>> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) errors[issue.path.map(String).join('.') || 'form'] ??= issue.message;
  return { ok: false, errors, first: parsed.error.issues[0]?.message ?? 'Please check the form.' };
}

/**
 * parseForm for a route that simply refuses bad input: the data, or a UserError (400 with the first
 * problem), or the error `refuse` gives (a NotFoundError for an id that cannot be one).
 */
export function readForm<S extends z.ZodType>(schema: S, input: unknown, refuse: (first: string) => UserError = (first) => new UserError(first)): z.output<S> {
  const form = parseForm(schema, input);
  if (!form.ok) throw refuse(form.first);
  return form.data;
}
