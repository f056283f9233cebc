import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Real worker processes (test/setup/worker-process.ts) over a test world's settings.

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), '../setup/worker-process.ts');

export async function forkWorker(env: Record<string, string>, children: ChildProcess[]): Promise<ChildProcess> {
  const child = fork(WORKER, [], {
    env: { ...process.env, ...env, TEST_WORKER_LOCK_MS: '2000' },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
  return child;
}

export function exited(child: ChildProcess): Promise<unknown> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
}

export async function stopAll(children: ChildProcess[]): Promise<void> {
  for (const child of children.splice(0)) {
    child.kill('SIGTERM');
    await exited(child);
  }
}
