import { describe, expect, it } from 'vitest';
import type { RouteOptions } from 'fastify';
import { safeReturnPath } from '../../src/platform/view.js';
import { guardRoute, requireUser } from '../../src/auth/require-user.js';
import { parseUserinfo } from '../../src/auth/google.js';
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
  const route = (url: string, extra: Partial<RouteOptions> = {}) => ({ method: 'GET', url, handler: async () => '', ...extra }) as RouteOptions;

  it('puts requireUser in front of every non-public route, once', () => {
    const own = async () => {};
    const r = route('/projects/:id', { preHandler: own });
    guardRoute(r);
    expect(r.preHandler).toEqual([requireUser, own]);
    const already = route('/credits', { preHandler: [requireUser] });
    guardRoute(already);
    expect(already.preHandler).toEqual([requireUser]);
  });

  it.each(['/', '/login', '/logout', '/auth/google/callback', '/s/:token', '/r/:code', '/healthz', '/metrics', '/media/*', '/assets/*', '/vendor/htmx/*', '/manifest.webmanifest', '/webhooks/stripe', '/admin', '/admin/users/:id'])('leaves %s public', (url) => {
    const r = route(url);
    guardRoute(r);
    expect(r.preHandler).toBeUndefined();
  });

  it('respects a route that declares itself public', () => {
    const r = route('/something/public', { config: { public: true } as never });
    guardRoute(r);
    expect(r.preHandler).toBeUndefined();
  });
});

describe('Google userinfo', () => {
  it('reads the v3 shape: sub, name, email, picture', () => {
    expect(parseUserinfo({ sub: '123', name: 'Ada', email: 'Ada@Example.com', picture: 'https://lh3.googleusercontent.com/a/x' })).toEqual({
      googleSub: '123',
      name: 'Ada',
      email: 'ada@example.com',
      avatarUrl: 'https://lh3.googleusercontent.com/a/x',
    });
  });

  it('refuses a profile without sub or email, and drops a non-https picture', () => {
    expect(parseUserinfo({ name: 'x', email: 'a@b.c' })).toBeNull();
    expect(parseUserinfo({ sub: '1' })).toBeNull();
    expect(parseUserinfo({ sub: '1', email: 'a@b.c', picture: 'javascript:alert(1)' })).toMatchObject({ avatarUrl: null, name: 'a' });
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
