import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/platform/config.js';
import { closeContext, createContext } from '../src/platform/context.js';
import { createStorage } from '../src/storage/index.js';
import { runExportDrift, type ExportDrift } from '../test/beats/beat-export.js';
import { runPlayerDrift, type PlayerDrift } from '../test/beats/beat-player.js';
import { DRIFT_FILE } from '../test/beats/beat-scenario.js';
import { freshDatabase, print } from './_support.js';

// beat_cut_worst_error_*: a beat-synced film (solid-colour clips cut onto a 120 BPM click track
// analysed by the real job) measured against the one cut plan. Player: headless Chromium, the music
// element's time when each next clip's first frame is presented, against the plan's transition
// start (startS). Export: the real export, cuts found by frame counting (where the crossfade's
// colour mix passes half way) against the plan's cut (cutS, the crossfade's midpoint). A longer
// song than the tests' (eight clips) so drift along the song would show. Raw figures: .tmp/beat-drift.json.

export const BENCH_CLIPS = [3, 4, 2, 3, 4, 2, 3, 3];

export async function measure(): Promise<{ player: PlayerDrift; exported: ExportDrift }> {
  const dbName = `echoes_bench_${randomBytes(4).toString('hex')}`;
  const database = await freshDatabase(dbName);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'echoes-bench-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    QUEUE_PREFIX: `bench-${dbName}`,
    DATA_DIR: dataDir,
    SESSION_SECRET: 'bench-session-secret-that-is-long-enough-123',
  });
  const ctx = await createContext(config, { skipMigrate: true, storage: await createStorage(config) });
  const app = await buildApp(ctx);
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const player = await runPlayerDrift({ baseUrl, ctx, clipSeconds: BENCH_CLIPS });
    // The export is rendered for the person the player scenario signed in.
    const user = await ctx.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
    const exported = await runExportDrift(ctx, user.id, BENCH_CLIPS);
    return { player, exported };
  } finally {
    await app.close();
    await closeContext(ctx);
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function main(): Promise<{ player: PlayerDrift; exported: ExportDrift }> {
  const r = await measure();
  print('beat_cut_worst_error_player', r.player.worstMs, 'ms');
  print('beat_cut_worst_error_export', r.exported.worstMs, 'ms');
  const list = (d: PlayerDrift | ExportDrift) => d.errors.map((e) => (e.errorMs === null ? 'missed' : `${e.errorMs > 0 ? '+' : ''}${e.errorMs}`)).join(' ');
  console.log(`# player cuts (ms, + late): ${list(r.player)}; first clip at music ${r.player.startMs} ms`);
  console.log(`# export cuts (ms, + late): ${list(r.exported)}; raw figures in ${path.relative(process.cwd(), DRIFT_FILE)}`);
  return r;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
