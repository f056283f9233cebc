// The import rules of docs/decisions/0015-import-rules.md, checked by `npm test`.
// A folder under src/ is a feature (or the platform); cycles are checked between folders, not only
// between files, because two features that import each other are one tangled feature.

// Pairs of folders allowed to depend on each other for a while, each with the reason; none today.
const ALLOWED_CYCLES = [];

const exempt = ALLOWED_CYCLES.flatMap(([a, b]) => [[a, b], [b, a]]);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'platform-imports-no-feature',
      comment: 'src/platform is what every feature stands on; it must not know any of them (hand things in instead).',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^src/', pathNot: '^src/platform/' },
    },
    {
      name: 'no-folder-cycles',
      comment: 'No two folders under src/ may depend on each other, directly or round a longer loop.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/', pathNot: `^src/(${exempt.map(([from]) => from).join('|')})$` },
      to: { circular: true },
    },
    ...exempt.map(([from, to]) => ({
      name: 'no-folder-cycles',
      comment: `As above; ${from} -> ${to} is allowed until the film module merge.`,
      severity: 'error',
      scope: 'folder',
      from: { path: `^src/${from}$` },
      to: { circular: true, pathNot: `^src/${to}$` },
    })),
  ],
  options: {
    // TypeScript 7 has no JavaScript API for dependency-cruiser to parse with; swc reads the .ts files.
    parser: 'swc',
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
    doNotFollow: { path: 'node_modules' },
  },
};
