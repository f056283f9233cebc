// Lighthouse 12.2.3, mobile (its default: a mid-range phone, simulated slow 4G and 4x CPU
// slowdown), performance only, on the four pages people open most: the landing page, the
// dashboard, a project page and a share page. Debian's Chromium (/usr/bin/chromium), never a
// downloaded browser. Each page runs BENCH_LIGHTHOUSE_RUNS times (default 3); the median run's
// score and its LCP are printed (issue 31 item 5: performance >= 95, LCP <= 2.5 s).
import { readFile, writeFile } from 'node:fs/promises';
import lighthouse from 'lighthouse';
import { chromium } from 'playwright-core';
import { loadConfig } from '../src/platform/config.js';
import { createStorage } from '../src/storage/index.js';
import { pagesWorld } from '../test/a11y/world.js';
import { freePort, freshDatabase, print, signIn, startServer } from './_support.js';

const RUNS = Number(process.env.BENCH_LIGHTHOUSE_RUNS ?? 3);
const ONLY = process.env.BENCH_LIGHTHOUSE_PAGES?.split(',').filter(Boolean);

interface Run {
  score: number;
  lcp: number;
  fcp: number;
  tbt: number;
  cls: number;
  bytes: number;
  /** Lighthouse's measure of the host's speed: under about 1,000 its CPU figures are not to be trusted. */
  benchmarkIndex: number;
}

function median(runs: Run[]): Run {
  return [...runs].sort((a, b) => a.score - b.score || b.lcp - a.lcp)[Math.floor(runs.length / 2)]!;
}

export async function main() {
  const database = await freshDatabase(`echoes_bench_lighthouse_${process.pid}`);
  const server = await startServer({ DATABASE_URL: database.url });
  const port = await freePort();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync', `--remote-debugging-port=${port}`],
  });
  try {
    // The media go where the server reads them (its DATA_DIR), as the features leave them.
    const storage = await createStorage(loadConfig({ DATABASE_URL: database.url, DATA_DIR: server.dataDir, SESSION_SECRET: 'bench-session-secret-long-enough-0123456789', NODE_ENV: 'test' }));
    const world = await pagesWorld(database.db, storage, 'lighthouse@example.com');
    const cookie = await signIn(server.url, 'lighthouse@example.com');
    const pages: Array<[string, string, Record<string, string>]> = [
      ['landing', '/', {}],
      ['dashboard', '/projects', { Cookie: cookie }],
      ['project_page', `/projects/${world.film.id}`, { Cookie: cookie }],
      ['share_page', `/s/${world.shareToken}`, {}],
    ];
    for (const [name, path, extraHeaders] of pages) {
      if (ONLY && !ONLY.includes(name)) continue;
      const runs: Run[] = [];
      for (let i = 0; i < RUNS; i++) {
        const result = await lighthouse(server.url + path, { port, output: 'json', logLevel: 'error', onlyCategories: ['performance'], extraHeaders });
        const lhr = result?.lhr;
        if (!lhr) throw new Error(`lighthouse gave no result for ${path}`);
        if (lhr.runtimeError) throw new Error(`lighthouse on ${path}: ${lhr.runtimeError.message}`);
        // BENCH_LIGHTHOUSE_JSON=<dir> keeps each run's full report (what took the time).
        if (process.env.BENCH_LIGHTHOUSE_JSON) await writeFile(`${process.env.BENCH_LIGHTHOUSE_JSON}/${name}-${i + 1}.json`, JSON.stringify(lhr));
        const audit = (id: string) => lhr.audits[id]?.numericValue ?? NaN;
        runs.push({
          score: Math.round((lhr.categories.performance?.score ?? 0) * 100),
          lcp: audit('largest-contentful-paint'),
          fcp: audit('first-contentful-paint'),
          tbt: audit('total-blocking-time'),
          cls: audit('cumulative-layout-shift'),
          bytes: audit('total-byte-weight'),
          benchmarkIndex: lhr.environment.benchmarkIndex,
        });
      }
      const m = median(runs);
      print(`lighthouse_${name}_performance`, m.score, 'score');
      print(`lighthouse_${name}_lcp`, m.lcp, 'ms');
      print(`lighthouse_${name}_fcp`, m.fcp, 'ms');
      print(`lighthouse_${name}_tbt`, m.tbt, 'ms');
      print(`lighthouse_${name}_cls`, m.cls, '');
      print(`lighthouse_${name}_bytes`, m.bytes, 'bytes');
      print(`lighthouse_${name}_host_benchmark_index`, m.benchmarkIndex, '');
      console.log(`# ${name}: scores ${runs.map((r) => r.score).join(', ')}; LCP ${runs.map((r) => Math.round(r.lcp)).join(', ')} ms; host benchmark index ${runs.map((r) => r.benchmarkIndex).join(', ')}; load average ${(await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')}`);
    }
  } finally {
    await browser.close();
    await server.stop();
    await database.drop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
