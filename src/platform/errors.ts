/** An error whose message is safe to show to the person who caused it. */
export class UserError extends Error {
  constructor(message: string, public statusCode = 400, public code = 'bad_request') {
    super(message);
  }
}

export class NotFoundError extends UserError {
  constructor(message = 'We could not find that page.') {
    super(message, 404, 'not_found');
  }
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && (!constraint || e.constraint === constraint);
}

export function isCheckViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23514' && (!constraint || e.constraint === constraint);
}

/** A limit was reached: 429 with a Retry-After of `retryAfterS` (the message says when, in words). */
export class RateLimitedError extends UserError {
  constructor(message: string, public retryAfterS: number) {
    super(message, 429, 'rate_limited');
  }
}
