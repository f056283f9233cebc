import 'dotenv/config';
import { loadConfig } from './config.js';
import { createDb, ensureDatabase, migrateToLatest } from './db.js';

const config = loadConfig();
await ensureDatabase(config.DATABASE_URL);
const db = createDb(config.DATABASE_URL, 1);
try {
  const applied = await migrateToLatest(db);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
} finally {
  await db.destroy();
}
