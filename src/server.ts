// `npm start` runs this (dist/src/server.js), and so do the image and compose commands. Under
// `npm start` it first rebuilds dist/ when the sources changed (an edit, a pull), in this process:
// a `prestart` script started a second Node for that check on every start (~170 ms of CPU, a tenth
// of the start; docs/decisions/0028). Then it loads the app, server-main, an entry of its own at a
// fixed name, so after a rebuild the new one is loaded. Nothing else here: what this file imports
// is already loaded when the check runs.
import module from 'node:module';

// Node 22 keeps V8's compiled code of the app's chunks on disk between starts (the image runs
// Node 22; on Node 20 there is no such cache and this does nothing). docs/decisions/0028.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const fromSource = import.meta.url.endsWith('.ts'); // under tsx (the cold-start bench's "before")

if (!fromSource && process.env.npm_lifecycle_event === 'start') {
  try {
    const build = (await import(new URL('../../scripts/build.mjs', import.meta.url).href)) as { buildIfChanged(): Promise<boolean> };
    await build.buildIfChanged();
  } catch (err) {
    console.error(`Echoes could not start: the build failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}

await import(new URL(fromSource ? './server-main.ts' : './server-main.js', import.meta.url).href);
