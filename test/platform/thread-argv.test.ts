import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { threadExecArgv } from '../../src/platform/thread-argv.js';

describe('threadExecArgv', () => {
  it('drops V8 and process flags that Node refuses in a thread, keeps the loaders', () => {
    const argv = ['--max-semi-space-size=64', '--max-old-space-size', '512', '--import', 'tsx', '--title=echoes', '--require=./x.cjs'];
    // '512' is the value of a dropped flag, not a flag: only loader values are carried.
    expect(threadExecArgv(argv, true)).toEqual(['--import', 'tsx', '--require=./x.cjs']);
  });

  it('adds the TypeScript loader only when the thread file is TypeScript and it is missing', () => {
    expect(threadExecArgv([], true)).toEqual(['--import', 'tsx']);
    expect(threadExecArgv(['--import=tsx'], true)).toEqual(['--import=tsx']);
    expect(threadExecArgv(['--max-semi-space-size=64'], false)).toEqual([]);
  });

  it('gives Node a list it accepts for a thread when the process runs with a V8 heap flag', async () => {
    const argv = threadExecArgv(['--max-semi-space-size=64', '--import', 'tsx'], false);
    const worker = new Worker('require("node:worker_threads").parentPort.postMessage("ok")', { eval: true, execArgv: argv });
    await expect(new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); })).resolves.toBe('ok');
    await worker.terminate();
    // The same flag passed straight through is what broke beat sync.
    expect(() => new Worker('', { eval: true, execArgv: ['--max-semi-space-size=64'] })).toThrow(/ERR_WORKER_INVALID_EXEC_ARGV|execArgv/);
  });
});
