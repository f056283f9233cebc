/**
 * The errors whose message is safe to show to the person who caused it: UserError and its
 * subclasses, one per kind of refusal. The error pages show the message with `statusCode`; routes
 * that answer a refusal themselves tell kinds apart with `instanceof`. `code` is a tag for the
 * logs only, never something to branch on.
 */
export class UserError extends Error {
  constructor(message: string, public statusCode = 400, public code = 'bad_request') {
    super(message);
  }
}

/** 403: the person may not do this (a disabled account). */
export class ForbiddenError extends UserError {
  constructor(message: string, code = 'forbidden') {
    super(message, 403, code);
  }
}

/** 404: not there, or not the person's (the two are never told apart). */
export class NotFoundError extends UserError {
  constructor(message = 'We could not find that page.') {
    super(message, 404, 'not_found');
  }
}

/** 402: the person's credits do not cover this. */
export class PaymentRequiredError extends UserError {
  constructor(message: string, code = 'payment_required') {
    super(message, 402, code);
  }
}

/** 409: the thing is not in a state that allows this now (busy, already done, a cap reached). */
export class ConflictError extends UserError {
  constructor(message: string, code = 'conflict') {
    super(message, 409, code);
  }
}

/** 413: an upload (or the room it needs) is too large. */
export class TooLargeError extends UserError {
  constructor(message: string, code = 'too_large') {
    super(message, 413, code);
  }
}

/** 422: the request is well formed but there is nothing to do it with (nothing to export). */
export class UnprocessableError extends UserError {
  constructor(message: string, code = 'unprocessable') {
    super(message, 422, code);
  }
}

/** A limit was reached: 429 with a Retry-After of `retryAfterS` (the message says when, in words). */
export class RateLimitedError extends UserError {
  constructor(message: string, public retryAfterS: number) {
    super(message, 429, 'rate_limited');
  }
}

/** 502: a service we depend on (Stripe) did not do its part. */
export class UpstreamError extends UserError {
  constructor(message: string, code = 'upstream_failed') {
    super(message, 502, code);
  }
}

/** 503: something of ours is briefly away or not set up here; trying again later may work. */
export class UnavailableError extends UserError {
  constructor(message: string, code = 'unavailable') {
    super(message, 503, code);
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
