import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTING_NAMES } from '../../src/platform/config.js';

// The documents a newcomer reads first. Decision records are history and may name what is gone.
const DOCS = ['README.md', 'SECURITY.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const text = (file: string) => readFileSync(file, 'utf8');
/** Every `code span` and fenced block of a document. */
const codeOf = (file: string) => [...text(file).matchAll(/```[a-z]*\n([\s\S]*?)```|`([^`\n]+)`/g)].map((m) => m[1] ?? m[2]!);

const scripts = Object.keys(JSON.parse(text('package.json')).scripts as Record<string, string>);

/** Settings the app reads, the knobs benches and tests read from the environment, and Node's own. */
function knownEnvNames(): Set<string> {
  const names = new Set<string>([...SETTING_NAMES, 'NODE_OPTIONS']);
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const p = path.join(dir, entry);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) for (const m of text(p).matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) names.add(m[1]!);
    }
  };
  walk('bench');
  walk('test');
  return names;
}

const ROOTS = /^(?:\.\/)?((?:src|test|docs|bench|public|views|migrations|\.ci)\/[^\s,;:()]*|\.env\.example|Dockerfile|docker-compose\.yml|package\.json|SECURITY\.md|README\.md|\.dependency-cruiser\.cjs|tsconfig\.json|vitest\.config\.ts)$/;

/** A named file or folder exists: as written, as a test file without its suffix, or matching a trailing `*`. */
function exists(name: string): boolean {
  const clean = name.replace(/[.]$/, '');
  if (clean.endsWith('*')) {
    const dir = path.dirname(clean);
    const prefix = path.basename(clean).slice(0, -1);
    return existsSync(dir) && readdirSync(dir).some((f) => f.startsWith(prefix));
  }
  return ['', '.ts', '.test.ts', '.browser.test.ts', '.process.test.ts'].some((suffix) => existsSync(clean + suffix));
}

describe('README and docs name only things that exist', () => {
  it.each(DOCS)('%s: npm scripts', (file) => {
    for (const code of codeOf(file)) {
      for (const m of code.matchAll(/\bnpm (?:run )?([a-z][\w:-]*)/g)) {
        if (['ci', 'install', 'run'].includes(m[1]!)) continue;
        expect(scripts, `${file}: ${m[0]}`).toContain(m[1]);
      }
    }
  });

  it.each(DOCS)('%s: settings and environment variables', (file) => {
    const known = knownEnvNames();
    for (const code of codeOf(file)) {
      for (const m of code.matchAll(/\b(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|PORT|HOST)\b(\*)?/g)) {
        const name = m[0].replace(/\*$/, '');
        const ok = m[1] ? [...known].some((k) => k.startsWith(name)) : known.has(name);
        expect(ok, `${file}: ${m[0]} is neither a setting in src/platform/config.ts nor read by a bench or test`).toBe(true);
      }
    }
  });

  it.each(DOCS)('%s: files and folders', (file) => {
    for (const code of codeOf(file)) {
      for (const word of code.split(/\s+/)) {
        const m = ROOTS.exec(word.replace(/[.,;:]+$/, ''));
        if (m) expect(exists(m[1]!), `${file}: ${word}`).toBe(true);
      }
    }
  });

  it("README's folder map has one line for each folder under src/, and no other", () => {
    const map = /## Folders\n+```\n([\s\S]*?)```/.exec(text('README.md'))![1]!;
    const listed = [...map.matchAll(/^src\/([\w-]+)\//gm)].map((m) => m[1]!).sort();
    const folders = readdirSync('src').filter((f) => statSync(`src/${f}`).isDirectory()).sort();
    expect(listed).toEqual(folders);
  });

  it('README stays short', () => {
    expect(text('README.md').split('\n').length).toBeLessThanOrEqual(150);
  });
});
