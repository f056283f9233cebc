import { afterAll, beforeAll, describe, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createTestContext, type TestContext } from '../setup/context.js';
import { HttpBrowser, stopProcesses } from '../setup/web-processes.js';
import { freePort } from '../setup/ports.js';
import { waitFor } from '../setup/wait.js';
import { WEB_ARGS, WORKER_ARGS } from '../setup/start-commands.js';
import { runEveryJobKind } from '../setup/journey.js';

// `npm start` as its users run it (package.json's command, workers in the web process), with one
// more V8 flag in front, as an operator might add: every kind of background work runs through it.
// A V8 flag reaching the analysis threads broke every beat analysis once (issue 24).

const EXTRA_V8_FLAG = '--max-old-space-size=1024';
let t: TestContext;
const children: ChildProcess[] = [];

beforeAll(async () => {
  t = await createTestContext({ ACTIVE_AI_PROVIDER: 'local' });
}, 60_000);
afterAll(async () => {
  await stopProcesses(children);
  await t?.close();
}, 60_000);

// (a) `npm start` alone, workers in-process; (b) `RUN_WORKERS=false npm start` plus `npm run worker`.
describe.each([
  { mode: 'npm start with an extra V8 flag, workers in-process', separateWorker: false, email: 'journey-a@example.com' },
  { mode: 'RUN_WORKERS=false npm start (extra V8 flag) plus npm run worker', separateWorker: true, email: 'journey-b@example.com' },
])('$mode', ({ separateWorker, email }) => {
  it('makes a clip, analyses a song, renders an export, builds the data ZIP and deletes the account', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { ...process.env, ...t.env, PORT: String(port), RUN_WORKERS: String(!separateWorker), LOG_LEVEL: 'warn' };
    children.push(spawn(process.execPath, [EXTRA_V8_FLAG, ...WEB_ARGS], { env, stdio: ['ignore', 'ignore', 'inherit'] }));
    if (separateWorker) children.push(spawn(process.execPath, WORKER_ARGS, { env, stdio: ['ignore', 'ignore', 'inherit'] }));
    // Generous: a busy 2-core CI machine starts slowly; readiness is the signal, not a clock.
    await waitFor(async () => (await fetch(`${base}/healthz`).catch(() => null))?.status === 200, 'npm start to answer /healthz', 120_000, 200);

    const b = new HttpBrowser();
    await b.signInDev(base, email, 'Journey');
    await runEveryJobKind(base, b, email, t.ctx.db);
    // Stopped here, so the next mode's jobs cannot be picked up by this one's workers.
    await stopProcesses(children.splice(0));
  }, 900_000);
});
