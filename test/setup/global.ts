import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { createDb, migrateToLatest } from '../../src/platform/db.js';
import { TEMPLATE_DB, TEST_PG_URL, dbUrl } from './template-db.js';

/**
 * Builds the migrated template database once per run; each test file clones it. Each vitest
 * project calls its global setup, so the run's first call builds it and the others wait for it.
 */
export default function setup(): Promise<void> {
  const run = globalThis as { echoesTemplate?: Promise<void> };
  run.echoesTemplate ??= buildTemplate();
  return run.echoesTemplate;
}

async function buildTemplate(): Promise<void> {
  // Tests that start real processes run dist/, as `npm start` does: compiled first when the sources changed.
  execFileSync(process.execPath, ['scripts/build.mjs', '--if-changed'], { stdio: 'inherit' });
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  try {
    // Leftovers of killed runs: test databases (echoes_t_<epoch seconds>_<random>) over two hours old.
    const stale = await admin.query(`select datname from pg_database where datname ~ '^echoes_t_[0-9]+_'`);
    const cutoff = Date.now() / 1000 - 7200;
    for (const row of stale.rows as Array<{ datname: string }>) {
      if (Number(row.datname.split('_')[2]) < cutoff) {
        await admin.query(`drop database if exists "${row.datname}" with (force)`).catch(() => {});
      }
    }
    await admin.query(`drop database if exists "${TEMPLATE_DB}" with (force)`);
    await admin.query(`create database "${TEMPLATE_DB}"`);
  } finally {
    await admin.end();
  }
  const db = createDb(dbUrl(TEMPLATE_DB), 1);
  await migrateToLatest(db);
  await db.destroy();
}
