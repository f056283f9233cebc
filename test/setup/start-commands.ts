// How the product is started, read from package.json so the tests start it exactly as `npm start`
// and `npm run worker` do (compiled once to dist/: docs/decisions/0028-compiled-once-to-dist.md).
// test/setup/global.ts brings dist/ up to date before any test runs.
import { readFileSync } from 'node:fs';

const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;

/** `node <args>` of an npm script, as the arguments to give process.execPath. */
function nodeArgs(script: string): string[] {
  const [bin, ...args] = scripts[script]!.split(' ');
  if (bin !== 'node') throw new Error(`npm ${script} does not run node: ${scripts[script]}`);
  return args;
}

/** `npm start`'s node arguments: its flags and the compiled server. */
export const WEB_ARGS = nodeArgs('start');
/** `npm run worker`'s node arguments. */
export const WORKER_ARGS = nodeArgs('worker');
