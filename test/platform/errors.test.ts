import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, PaymentRequiredError, RateLimitedError, TooLargeError, UpstreamError, UserError } from '../../src/platform/errors.js';
import { CapReachedError, QuotaExceededError } from '../../src/limits/quota.js';
import { InsufficientCreditsError } from '../../src/credits/service.js';
import { CheckoutFailedError } from '../../src/billing/checkout.js';

describe('one user-facing error hierarchy', () => {
  it.each([
    [new NotFoundError(), NotFoundError, 404],
    [new CapReachedError('Too many.'), ConflictError, 409],
    [new QuotaExceededError(10, 5), TooLargeError, 413],
    [new InsufficientCreditsError(5, 2), PaymentRequiredError, 402],
    [new CheckoutFailedError('Stripe is away.'), UpstreamError, 502],
    [new RateLimitedError('Later.', 30), RateLimitedError, 429],
  ] as const)('%s is a %s (%i) and a UserError', (err, kind, status) => {
    expect(err).toBeInstanceOf(kind);
    expect(err).toBeInstanceOf(UserError);
    expect(err.statusCode).toBe(status);
  });
});
