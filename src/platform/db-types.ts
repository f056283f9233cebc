// The database's types: the tables as `npm run db:types` generates them from the migrated schema
// (db-schema.ts, never edited by hand), what some columns hold (db-column-types.ts), and the row
// types the features use.
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Clips, CreditPacks, CreditTransactions, DB, Exports, MusicAnalyses, Payments, Projects, Takes, Users, AccountExports, AccountDeletions } from './db-schema.js';

export type * from './db-schema.js';
export type * from './db-column-types.js';
export type Database = DB;

export type User = Selectable<Users>;
export type Project = Selectable<Projects>;
export type Clip = Selectable<Clips>;
export type NewClip = Insertable<Clips>;
export type ClipUpdate = Updateable<Clips>;
export type Take = Selectable<Takes>;
export type LedgerRow = Selectable<CreditTransactions>;
export type Payment = Selectable<Payments>;
export type CreditPack = Selectable<CreditPacks>;
export type ExportRow = Selectable<Exports>;
export type MusicAnalysis = Selectable<MusicAnalyses>;
export type AccountExport = Selectable<AccountExports>;
export type AccountDeletion = Selectable<AccountDeletions>;
