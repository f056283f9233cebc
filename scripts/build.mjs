// Compiles the server, the worker, the analysis thread and the migrations CLI once, to dist/, so a
// start runs plain JavaScript instead of compiling TypeScript through tsx every time
// (docs/decisions/0028-compiled-once-to-dist.md). Plain JavaScript itself: it runs before anything is built.
//
//   node scripts/build.mjs               build
//   node scripts/build.mjs --if-changed  build only when the sources differ from the last build's (preworker, premigrate)
// `npm start` runs the same check inside the server's own process (buildIfChanged(), from dist/src/server.js),
// not as a `prestart` script: a second Node start cost ~170 ms of CPU on every start (docs/decisions/0028).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const OUT = path.join(ROOT, 'dist');
const STAMP = path.join(OUT, '.sources-hash');
// Each input's size and modification time at the last build or check: when they are all unchanged
// the sources are not even read (the usual `npm start`), docs/decisions/0028.
const STAT_STAMP = path.join(OUT, '.sources-stat');

// server.ts is the small launcher `npm start` runs; server-main.ts is the app, an entry of its own at a fixed
// name so the launcher, after a rebuild, loads the new one.
export const ENTRIES = ['src/server.ts', 'src/server-main.ts', 'src/worker-main.ts', 'src/beats/dsp/thread.ts', 'src/platform/migrate-cli.ts'];

// Left out of the bundle, loaded from node_modules at run time: native code, and packages that
// find files of their own next to their code (piscina starts threads from its own worker file).
const EXTERNAL = ['sharp', '@node-rs/argon2', 'piscina', '@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe', 'msgpackr-extract', 'pg-native'];

/** Every file the build reads from this repository: what a change to must rebuild. */
function inputs() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (/\.(ts|mts|js|mjs|json)$/.test(entry.name)) files.push(rel);
    }
  };
  walk('src');
  walk('migrations');
  files.push('package.json', 'package-lock.json', 'scripts/build.mjs');
  return files.sort();
}

export function sourcesHash() {
  const hash = createHash('sha256');
  hash.update(process.version.split('.')[0]);
  for (const file of inputs()) {
    hash.update(file);
    hash.update(readFileSync(path.join(ROOT, file)));
  }
  return hash.digest('hex');
}

/** The inputs' names, sizes and modification times: cheap (no file is read), changes when any file might have. */
export function sourcesStat(files = inputs()) {
  const hash = createHash('sha256');
  hash.update(process.version.split('.')[0]);
  for (const file of files) {
    const s = statSync(path.join(ROOT, file));
    hash.update(`${file}\0${s.size}\0${s.mtimeMs}\0`);
  }
  return hash.digest('hex');
}

const readStamp = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : null);

/** Builds into a folder of its own, then moves each file into dist/: a process starting meanwhile reads a whole file, old or new. */
export async function build() {
  const { build: esbuild } = await import('esbuild');
  const tmp = path.join(OUT, `.building-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  const result = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES,
    outdir: tmp,
    outbase: '.',
    bundle: true,
    platform: 'node',
    format: 'esm',
    // Dynamic imports become chunks of their own, loaded on first use: a start parses only what it
    // runs (the Stripe SDK, the S3 SDK and the audio parser wait for their first request).
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    target: `node${process.versions.node.split('.')[0]}`,
    external: EXTERNAL,
    // Bundled CommonJS packages call require() for Node's own modules.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
    // Maps beside the chunks, read only when NODE_OPTIONS=--enable-source-maps (docs/operations.md).
    sourcemap: 'linked',
    logLevel: 'warning',
    metafile: true,
  });
  // Chunks first, so an entry that is already in place finds every chunk it names.
  const outputs = Object.keys(result.metafile.outputs).sort((a, b) => Number(!a.includes('/chunks/')) - Number(!b.includes('/chunks/')));
  const fresh = new Set();
  for (const file of outputs) {
    const to = path.join(OUT, path.relative(tmp, path.join(ROOT, file)));
    mkdirSync(path.dirname(to), { recursive: true });
    renameSync(path.join(ROOT, file), to);
    fresh.add(to);
  }
  rmSync(tmp, { recursive: true, force: true });
  pruneChunks(fresh);
}

/** Deletes chunks of earlier builds a day after they were made: a process started before this build may still load one. */
function pruneChunks(fresh) {
  const dir = path.join(OUT, 'chunks');
  if (!existsSync(dir)) return;
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (!fresh.has(file) && statSync(file).mtimeMs < dayAgo) rmSync(file, { force: true });
  }
}

/**
 * Builds when the sources differ from the last build's; true when it built. Unchanged sizes and
 * times: up to date without reading a source. Changed (an edit, a checkout, a fresh clone): the
 * contents decide, so a touched but identical tree is not rebuilt. No sources (an image's runtime
 * stage, or `npm ci` in its dependency stage): nothing to build.
 */
export async function buildIfChanged() {
  if (!existsSync(path.join(ROOT, 'src/server.ts'))) return false;
  const files = inputs();
  const stat = sourcesStat(files);
  if (readStamp(STAT_STAMP) === stat && readStamp(STAMP) !== null) return false;
  const hash = sourcesHash();
  if (readStamp(STAMP) === hash) {
    writeFileSync(STAT_STAMP, stat);
    return false;
  }
  await buildAndStamp(hash, stat);
  return true;
}

async function buildAndStamp(hash = sourcesHash(), stat = sourcesStat()) {
  const started = performance.now();
  await build();
  writeFileSync(STAMP, hash);
  writeFileSync(STAT_STAMP, stat);
  console.error(`build: compiled to dist/ in ${Math.round(performance.now() - started)} ms`);
}

async function main() {
  if (!existsSync(path.join(ROOT, 'src/server.ts'))) {
    // `npm ci` in an image's dependency stage runs `prepare` before the sources are copied in.
    console.log('build: no sources here yet, nothing to build');
    return;
  }
  if (process.argv.includes('--if-changed')) await buildIfChanged();
  else await buildAndStamp();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`build failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
}
