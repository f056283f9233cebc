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
import { GAPS_FILE, runFilmScenario, type FilmResult } from '../test/player/film-scenario.js';
import { freshDatabase, print } from './_support.js';

// player_worst_gap: plays a three-clip film with music in headless Chromium and measures, from
// the page (requestVideoFrameCallback), the time between one clip's last frame and the next
// clip's first frame. The player overlaps clips by its 300 ms crossfade, so a healthy hand-over is
// negative (an overlap) and counts as a 0 ms gap. Also writes the raw timings to .tmp/player-gaps.json.

/** Runs the scenario against a throwaway app: its own database (created and migrated) and media folder. */
export async function measure(): Promise<FilmResult> {
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
    return await runFilmScenario({ baseUrl, world: ctx, clips: 3, clipSeconds: 2 });
  } finally {
    await app.close();
    await closeContext(ctx);
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function main(): Promise<FilmResult> {
  const r = await measure();
  print('player_worst_gap', r.worstGapMs, 'ms');
  print('player_mean_gap', r.meanGapMs, 'ms');
  print('player_crossfade_overlap', r.meanOverlapMs, 'ms');
  print('player_worst_frame_interval', r.worstFrameIntervalMs, 'ms');
  console.log(`# ${r.transitions.map((x) => `${x.from}->${x.to}: ${x.deltaMs} ms`).join(', ')}; order ${r.colours.join(' > ')}; raw timings in ${path.relative(process.cwd(), GAPS_FILE)}`);
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
