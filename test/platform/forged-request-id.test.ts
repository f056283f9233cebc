import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { latestClip, testImage, uploadClip } from '../factories/clips.js';
import { creator } from '../generation/world.js';
import { peerIsTrustedProxy } from '../../src/platform/trust-proxy.js';

// Issue 25, item 10: Bob sent X-Request-Id with the id of Alice's request, and his clip carried it
// (logs and /admin/jobs mixed the two). A client's request id is never taken; a proxy named in
// TRUST_PROXY may pass its own on.

const FORGED = 'alice-request-0123456789';

describe('X-Request-Id from a client (TRUST_PROXY unset)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is neither stored as the clip request_id nor echoed', async () => {
    const { project, b } = await creator(t, 2);
    const res = await b.postMultipart(`/projects/${project.id}/clips`, [
      { name: 'image', value: await testImage(), filename: 'photo.png', contentType: 'image/png' },
    ], { 'x-request-id': FORGED });
    expect(res.statusCode).toBe(303);
    expect(res.headers['x-request-id']).not.toBe(FORGED);
    const clip = await latestClip(t.ctx.db, project.id);
    expect(clip.request_id).not.toBe(FORGED);
    expect(clip.request_id).toBe(res.headers['x-request-id']);
    const page = await t.app.inject({ url: '/login', headers: { 'x-request-id': FORGED } });
    expect(page.headers['x-request-id']).not.toBe(FORGED);
  });
});

describe('X-Request-Id from a proxy named in TRUST_PROXY', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: '10.0.0.0/8' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is taken from the proxy, and still not from anyone else', async () => {
    const { project, b } = await creator(t, 2);
    await uploadClip(b, project.id); // from 127.0.0.1: not the proxy
    expect((await latestClip(t.ctx.db, project.id)).request_id).not.toBe(FORGED);
    const viaProxy = await t.app.inject({ url: '/login', remoteAddress: '10.1.2.3', headers: { 'x-request-id': FORGED } });
    expect(viaProxy.headers['x-request-id']).toBe(FORGED);
    const direct = await t.app.inject({ url: '/login', remoteAddress: '203.0.113.9', headers: { 'x-request-id': FORGED } });
    expect(direct.headers['x-request-id']).not.toBe(FORGED);
  });

  it('reads TRUST_PROXY as Fastify does: names, CIDRs, netmasks, addresses, hop counts', () => {
    const named = peerIsTrustedProxy(['loopback', '192.168.0.0/255.255.0.0', '2001:db8::1']);
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1', '192.168.4.5', '2001:db8::1'].map(named)).toEqual([true, true, true, true, true]);
    expect(['10.0.0.1', '2001:db8::2', undefined, 'not-an-ip'].map(named)).toEqual([false, false, false, false]);
    expect(peerIsTrustedProxy(false)('127.0.0.1')).toBe(false);
    expect(peerIsTrustedProxy(1)('203.0.113.9')).toBe(true);
  });
});
