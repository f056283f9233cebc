import { describe, expect, it } from 'vitest';
import { PersonReads } from '../../src/platform/person-reads.js';

// The in-process part of src/platform/person-reads.ts; the test beside it runs two real web processes.

describe('PersonReads', () => {
  it('keeps an answer per person and key, and reads again once the person is forgotten', async () => {
    const reads = new PersonReads();
    reads.setListening(true);
    let loads = 0;
    const load = async () => [{ n: ++loads }];
    expect(await reads.remember('u1', 'projects', load)).toEqual([{ n: 1 }]);
    expect(await reads.remember('u1', 'projects', load)).toEqual([{ n: 1 }]);
    expect(await reads.remember('u2', 'projects', load)).toEqual([{ n: 2 }]);
    reads.forgetUser('u1');
    expect(await reads.remember('u1', 'projects', load)).toEqual([{ n: 3 }]);
    expect(await reads.remember('u2', 'projects', load)).toEqual([{ n: 2 }]);
  });

  it('serves what it kept to a page (GET) only; a change reads again', async () => {
    const reads = new PersonReads();
    reads.setListening(true);
    let loads = 0;
    const load = async () => ({ n: ++loads });
    expect(await reads.forRequest('GET', 'u', 'clip:1', load)).toEqual({ n: 1 });
    expect(await reads.forRequest('GET', 'u', 'clip:1', load)).toEqual({ n: 1 });
    expect(await reads.forRequest('POST', 'u', 'clip:1', load)).toEqual({ n: 2 });
    expect(await reads.forRequest('DELETE', 'u', 'clip:1', load)).toEqual({ n: 3 });
  });

  it('keeps nothing while it is not listening for changes', async () => {
    const reads = new PersonReads();
    let loads = 0;
    await reads.remember('u', 'k', async () => ++loads);
    await reads.remember('u', 'k', async () => ++loads);
    expect(loads).toBe(2);
    reads.setListening(true);
    await reads.remember('u', 'k', async () => ++loads);
    reads.setListening(false); // the subscription dropped: what was kept may miss a change
    await reads.remember('u', 'k', async () => ++loads);
    expect(loads).toBe(4);
  });

  it('does not keep a read that a change overtook', async () => {
    const reads = new PersonReads();
    reads.setListening(true);
    let release!: () => void;
    const slow = reads.remember('u', 'k', () => new Promise<string>((r) => (release = () => r('old'))));
    reads.forgetUser('u'); // a change announced while the read was on its way
    release();
    expect(await slow).toBe('old');
    expect(await reads.remember('u', 'k', async () => 'new')).toBe('new');
  });

  it('forgets after its time to live', async () => {
    const reads = new PersonReads(20);
    reads.setListening(true);
    await reads.remember('u', 'k', async () => 'first');
    await new Promise((r) => setTimeout(r, 40));
    expect(await reads.remember('u', 'k', async () => 'second')).toBe('second');
  });

  it('lets go of what has expired, so people seen once are not kept', async () => {
    const reads = new PersonReads(20);
    reads.setListening(true);
    for (let i = 0; i < 50; i++) await reads.remember(`u${i}`, 'k', async () => i);
    expect(reads.size).toBe(50);
    await new Promise((r) => setTimeout(r, 40));
    await reads.remember('late', 'k', async () => 'x');
    expect(reads.size).toBe(1);
  });

  it('hands out rows that cannot be changed by the request that got them', async () => {
    const reads = new PersonReads();
    reads.setListening(true);
    const rows = await reads.remember('u', 'k', async () => [{ title: 'a' }]);
    expect(() => {
      (rows[0] as { title: string }).title = 'b';
    }).toThrow(TypeError);
  });

  it('shares one read among the requests that ask while it is under way, but not across a change', async () => {
    const reads = new PersonReads();
    reads.setListening(true);
    let loads = 0;
    let release: (v: string) => void = () => {};
    const slow = () => {
      loads++;
      return new Promise<string>((r) => (release = r));
    };
    const asked = Array.from({ length: 50 }, () => reads.remember('u', 'k', slow));
    expect(loads).toBe(1);
    release('once');
    expect(await Promise.all(asked)).toEqual(Array(50).fill('once'));
    // A read under way when the person changes something is not joined by later requests.
    reads.forgetUser('u');
    const before = reads.remember('u', 'k', slow);
    const firstRelease = release;
    reads.forgetUser('u');
    const after = reads.remember('u', 'k', slow);
    expect(loads).toBe(3);
    firstRelease('old');
    release('new');
    expect([await before, await after]).toEqual(['old', 'new']);
    expect(await reads.remember('u', 'k', async () => 'unused')).toBe('new');
  });
});
