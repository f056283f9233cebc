// `npm run db:types`: migrates a scratch database and writes src/platform/db-schema.ts from its
// schema with kysely-codegen (scripts/db-types.config.json maps some columns to the types of
// src/platform/db-column-types.ts). test/platform/db-types.test.ts regenerates it and compares.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const root = fileURLToPath(new URL('..', import.meta.url));
export const SCHEMA_FILE = `${root}src/platform/db-schema.ts`;
const CONFIG = `${root}scripts/db-types.config.json`;
// kysely-codegen reads an override with TypeScript's compiler API, which TypeScript 7 does not
// have, so it writes the override as given and leaves out its import: added here.
const IMPORT_FROM = './db-column-types.js';

/** Writes the Kysely types of the database at `databaseUrl` to `outFile`. */
export async function generateDbSchema(databaseUrl: string, outFile: string): Promise<void> {
  const bin = `${root}node_modules/.bin/kysely-codegen`;
  try {
    await promisify(execFile)(bin, ['--config-file', CONFIG, '--url', databaseUrl, '--out-file', outFile, '--log-level', 'error'], { cwd: root });
  } catch (err) {
    const e = err as { code?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`${bin} is missing: run npm ci (kysely-codegen is a devDependency)`);
    throw new Error(`kysely-codegen failed: ${e.stderr?.trim().slice(-2000) || String(err)}`);
  }
  const config = JSON.parse(await readFile(CONFIG, 'utf8')) as { customImports: Record<string, string> };
  const names = Object.keys(config.customImports).sort();
  const text = await readFile(outFile, 'utf8');
  const anchor = 'import type { ColumnType } from "kysely";\n';
  if (!text.includes(anchor)) throw new Error('kysely-codegen wrote no ColumnType import; the post-processing needs updating');
  await writeFile(outFile, text.replace(anchor, `${anchor}import type { ${names.join(', ')} } from "${IMPORT_FROM}";\n`));
}

async function main(): Promise<void> {
  const { createDb, migrateToLatest } = await import('../src/platform/db.js');
  const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/echoes');
  const name = `echoes_types_${randomBytes(4).toString('hex')}`;
  const admin = new URL(base);
  admin.pathname = '/postgres';
  const scratch = new URL(base);
  scratch.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`create database "${name}"`);
  try {
    const db = createDb(scratch.toString(), 2);
    try {
      await migrateToLatest(db);
    } finally {
      await db.destroy();
    }
    await generateDbSchema(scratch.toString(), SCHEMA_FILE);
    console.log(`wrote ${SCHEMA_FILE}`);
  } finally {
    await client.query(`drop database if exists "${name}" with (force)`);
    await client.end();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
