import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantCredits } from '../../src/credits/service.js';
import { withTx } from '../../src/platform/db.js';
import { expectLedgerBalanced } from '../factories.js';
import { testImage, waitFor } from '../factories/clips.js';
import { startWorld, type World } from '../generation/world.js';
import { listenLocally } from '../setup/ports.js';
import { count5xx, emptyResult, percentile, runLoad, signInAll } from './scenario.js';

// A smoke version of bench/load.ts (100 people for a minute; the former 20-second test is
// `BENCH_LOAD_SECONDS=20 npm run bench -- load`): a few signed-in people at once over real HTTP
// against the app, real workers and the Runway fake, their pages told by the live stream: no 5xx,
// no lost clip, no card poll needed, and every balance equal to its ledger.

const USERS = Number(process.env.LOAD_TEST_USERS ?? 10);
const SECONDS = Number(process.env.LOAD_TEST_SECONDS ?? 4);
let w: World;
let baseUrl: string;

beforeAll(async () => {
  w = await startWorld();
  baseUrl = await listenLocally(w.t.app);
  w.startWorkers();
});
afterAll(async () => {
  await w?.close();
});

describe(`${USERS} people at once`, () => {
  it('creating projects, uploading images and waiting for pushed cards: no 5xx, no lost clip, ledger equal to balances', async () => {
    const opts = { baseUrl, users: USERS, seconds: SECONDS, image: await testImage(640, 360, 'jpeg') };
    const result = emptyResult();
    const people = await signInAll(opts, result, 'test');
    const users = await w.t.ctx.db.selectFrom('users').select('id').where('email', 'in', result.emails).execute();
    expect(users).toHaveLength(USERS);
    for (const u of users) await withTx(w.t.ctx.db, (tx) => grantCredits(tx, u.id, 100, 'admin', null, 'load test'));

    await runLoad(people, opts, result);

    expect(result.firstFailure).toBeUndefined();
    expect(count5xx(result)).toBe(0);
    expect(result.networkErrors).toBe(0);
    expect(result.clipIds.length).toBeGreaterThanOrEqual(USERS);
    expect(result.streams).toBeGreaterThanOrEqual(USERS);
    expect(result.byKind.get('card') ?? []).toEqual([]); // every card was pushed

    // Every accepted clip exists, belongs to one of them, and finishes; nothing else appeared.
    const ids = users.map((u) => u.id);
    const done = await waitFor(async () => {
      const rows = await w.t.ctx.db.selectFrom('clips').select(['id', 'status']).where('user_id', 'in', ids).execute();
      return rows.every((r) => r.status === 'ready') ? rows : null;
    }, 'every clip to be ready', 90_000, 500);
    expect(done.map((r) => r.id).sort()).toEqual([...result.clipIds].sort());
    await expectLedgerBalanced(w.t.ctx.db);
    const charged = await w.t.ctx.db
      .selectFrom('credit_transactions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', 'in', ids)
      .where('type', '=', 'generation')
      .executeTakeFirstOrThrow();
    expect(Number(charged.n)).toBe(result.clipIds.length);
    console.log(`load test: ${result.requests} requests in ${SECONDS} s, ${result.clipIds.length} clips, p99 ${percentile(result.latenciesMs, 99).toFixed(0)} ms`);
  }, 240_000);
});
