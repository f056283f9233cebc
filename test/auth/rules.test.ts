import { describe, expect, it } from 'vitest';
import type { RouteOptions } from 'fastify';
import { safeReturnPath } from '../../src/platform/safe-return-path.js';
import { guardRoute, requireUser } from '../../src/auth/require-user.js';
import { parseUserinfo, UnverifiedEmailError } from '../../src/auth/google.js';
import { cleanReferralCode } from '../../src/auth/service.js';

describe('safeReturnPath', () => {
  it.each([
    ['/projects/1?tab=clips#top', '/projects/1?tab=clips#top'],
    ['/caf\u00e9', '/caf%C3%A9'],
    ['//evil.com', '/projects'],
    ['///evil.com', '/projects'],
    ['https://evil.com', '/projects'],
    ['/\\evil.com', '/projects'],
    ['/\t/evil.com', '/projects'],
    ['/\r\nSet-Cookie: x=1', '/projects'],
    ['javascript:alert(1)', '/projects'],
    ['projects', '/projects'],
    [undefined, '/projects'],
    [['/a'], '/projects'],
  ])('%j → %j', (input, expected) => {
    expect(safeReturnPath(input)).toBe(expected);
  });
});

describe('auth first', () => {
  it('puts the guard in front of a route’s own preHandlers (ownership checks need the user); which routes it lets through is test/auth/guard.test.ts', () => {
    const own = async () => {};
    const r = { method: 'GET', url: '/projects/:id', handler: async () => '', preHandler: own } as RouteOptions;
    guardRoute(r);
    expect(r.preHandler).toEqual([requireUser, own]);
  });
});

describe('Google userinfo', () => {
  it('reads the v3 shape: sub, name, email, picture', () => {
    expect(parseUserinfo({ sub: '123', name: 'Ada', email: 'Ada@Example.com', email_verified: true, picture: 'https://lh3.googleusercontent.com/a/x' })).toEqual({
      googleSub: '123',
      name: 'Ada',
      email: 'ada@example.com',
      avatarUrl: 'https://lh3.googleusercontent.com/a/x',
    });
  });

  it('refuses a profile without sub or email, and drops a non-https picture', () => {
    expect(parseUserinfo({ name: 'x', email: 'a@b.c' })).toBeNull();
    expect(parseUserinfo({ sub: '1' })).toBeNull();
    expect(parseUserinfo({ sub: '1', email: 'a@b.c', email_verified: true, picture: 'javascript:alert(1)' })).toMatchObject({ avatarUrl: null, name: 'a' });
  });

  it('refuses an email Google has not verified (issue 25, item 5)', () => {
    for (const email_verified of [false, 'false', undefined, null, 1]) {
      expect(() => parseUserinfo({ sub: '1', email: 'a@b.c', email_verified })).toThrow(UnverifiedEmailError);
    }
  });
});

describe('referral codes', () => {
  it('normalises codes and rejects anything that cannot be one', () => {
    expect(cleanReferralCode(' AbCd2345 ')).toBe('abcd2345');
    expect(cleanReferralCode('a/b')).toBeNull();
    expect(cleanReferralCode('x')).toBeNull();
    expect(cleanReferralCode(undefined)).toBeNull();
  });
});
