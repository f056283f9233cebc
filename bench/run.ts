// `npm run bench`: runs every bench/*.ts script in turn; each prints lines `name: value unit`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const all = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'));
// A name picks that script ("load" is load.ts, not upload.ts); otherwise every script containing it.
const exact = all.filter((f) => only.includes(f.replace(/\.ts$/, '')));
const scripts = (only.length === 0 ? all : exact.length ? exact : all.filter((f) => only.some((o) => f.includes(o)))).sort();

// The benches start the compiled server and worker, as `npm start` does.
if (spawnSync(process.execPath, [path.join(dir, '../scripts/build.mjs'), '--if-changed'], { stdio: 'inherit' }).status !== 0) process.exit(1);

let failed = 0;
for (const script of scripts) {
  console.log(`# ${script}`);
  const res = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, script)], { stdio: 'inherit', env: { ...process.env, LOG_LEVEL: 'silent' } });
  if (res.status !== 0) {
    failed++;
    console.log(`# ${script} failed (exit ${res.status})`);
  }
}
process.exit(failed ? 1 : 0);
