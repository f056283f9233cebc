import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { createTestContext, type TestContext } from '../setup/context.js';

// src/platform/db-types.ts is written by hand; this compares it with the schema the migrations
// build (the test database is a copy of a freshly migrated template): the same tables, the same
// columns, the same nullability, compatible types, and a default behind every Generated<> (a column
// with a default may still be required in the types: stricter is safe).

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(async () => {
  await t?.close();
});

interface DeclaredColumn {
  /** What a select gives: string, number, boolean, Date, json (unknown, arrays, Json). */
  kind: string;
  nullable: boolean | 'unknown';
  generated: boolean;
}

/** The interfaces of db-types.ts, read as text (TypeScript 7 has no compiler API to parse with). */
async function declaredSchema(): Promise<Map<string, Map<string, DeclaredColumn>>> {
  const source = (await readFile(new URL('../../src/platform/db-types.ts', import.meta.url), 'utf8')).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  const block = (name: string) => {
    const m = new RegExp(`export interface ${name} \\{([^}]*)\\}`).exec(source);
    if (!m) throw new Error(`db-types.ts has no interface ${name}`);
    return [...m[1]!.matchAll(/^\s*(\w+)\s*:\s*(.+?);\s*$/gm)].map((f) => [f[1]!, f[2]!] as const);
  };
  const stringAliases = new Set([...source.matchAll(/export type (\w+) = '[^;]*;/g)].map((m) => m[1]!));
  const numberAliases = new Set([...source.matchAll(/export type (\w+) = \d[\d\s|]*;/g)].map((m) => m[1]!));
  // Interfaces that are not tables describe what a json column holds (exports.file_info).
  const jsonShapes = new Set([...source.matchAll(/export interface (\w+)/g)].map((m) => m[1]!).filter((n) => !n.endsWith('Table') && n !== 'Database'));
  const kindOf = (type: string): string => {
    if (type === 'string' || stringAliases.has(type)) return 'string';
    if (numberAliases.has(type)) return 'number';
    if (jsonShapes.has(type)) return 'json';
    if (type === 'number' || type === 'boolean') return type;
    if (type === 'Date' || type === 'Timestamp') return 'Date';
    if (type === 'Json' || type === 'unknown' || type.endsWith('[]')) return 'json';
    throw new Error(`db-types.ts: no rule for the type ${type}`);
  };
  const schema = new Map<string, Map<string, DeclaredColumn>>();
  for (const [table, iface] of block('Database')) {
    const columns = new Map<string, DeclaredColumn>();
    for (const [name, raw] of block(iface)) {
      let type = raw.trim();
      const generated = /^Generated<(.+)>$/.exec(type);
      if (generated) type = generated[1]!;
      // ColumnType<Select, Insert, Update>: the select type says what it holds; an insert type
      // that admits undefined means the column has a default.
      const columnType = /^ColumnType<([^,]+),\s*([^,]+),/.exec(type);
      const insertOptional = columnType ? /undefined/.test(columnType[2]!) : false;
      if (columnType) type = columnType[1]!.trim();
      const parts = type.split('|').map((p) => p.trim());
      const nullable = type === 'unknown' ? 'unknown' : parts.includes('null');
      const base = parts.filter((p) => p !== 'null');
      expect(base, `${table}.${name}: one type besides null`).toHaveLength(1);
      columns.set(name, { kind: kindOf(base[0]!), nullable, generated: Boolean(generated) || insertOptional });
    }
    schema.set(table, columns);
  }
  return schema;
}

const PG_KIND: Record<string, string> = {
  text: 'string',
  'character varying': 'string',
  character: 'string',
  uuid: 'string',
  inet: 'string',
  integer: 'number',
  smallint: 'number',
  bigint: 'number', // db.ts parses int8 as a number
  numeric: 'number',
  real: 'number',
  'double precision': 'number',
  boolean: 'boolean',
  'timestamp with time zone': 'Date',
  jsonb: 'json',
  json: 'json',
};

describe('db-types.ts', () => {
  it('matches the schema the migrations build', async () => {
    const declared = await declaredSchema();
    const { rows } = await sql<{ table_name: string; column_name: string; data_type: string; is_nullable: 'YES' | 'NO'; column_default: string | null; is_identity: 'YES' | 'NO' }>`
      select table_name, column_name, data_type, is_nullable, column_default, is_identity
      from information_schema.columns
      where table_schema = 'public' and table_name not like 'kysely_%'
      order by table_name, ordinal_position`.execute(t.ctx.db);
    const live = new Map<string, typeof rows>();
    for (const r of rows) live.set(r.table_name, [...(live.get(r.table_name) ?? []), r]);

    expect([...declared.keys()].sort()).toEqual([...live.keys()].sort());
    const problems: string[] = [];
    for (const [table, columns] of live) {
      const types = declared.get(table)!;
      const names = columns.map((c) => c.column_name);
      for (const name of names) if (!types.has(name)) problems.push(`${table}.${name} is in the schema, not in db-types.ts`);
      for (const name of types.keys()) if (!names.includes(name)) problems.push(`${table}.${name} is in db-types.ts, not in the schema`);
      for (const c of columns) {
        const d = types.get(c.column_name);
        if (!d) continue;
        const where = `${table}.${c.column_name}`;
        const kind = PG_KIND[c.data_type];
        if (!kind) problems.push(`${where}: no rule for the Postgres type ${c.data_type}`);
        else if (kind !== d.kind) problems.push(`${where}: ${c.data_type} in the schema, ${d.kind} in db-types.ts`);
        if (d.nullable !== 'unknown' && d.nullable !== (c.is_nullable === 'YES')) problems.push(`${where}: nullable ${c.is_nullable} in the schema, ${d.nullable ? '' : 'not '}nullable in db-types.ts`);
        const hasDefault = c.column_default !== null || c.is_identity === 'YES';
        if (d.generated && !hasDefault) problems.push(`${where}: Generated in db-types.ts but the schema has no default`);
      }
    }
    expect(problems).toEqual([]);
  });
});
