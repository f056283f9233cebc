/**
 * The Node flags a worker thread may be given. Node refuses V8 and process-wide flags in a
 * thread's execArgv (ERR_WORKER_INVALID_EXEC_ARGV: `--max-semi-space-size=64` from `npm start`
 * broke every beat analysis), so a thread gets only the module loaders the process was started
 * with, plus the TypeScript loader when the thread's file is TypeScript.
 */
const LOADER_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

export function threadExecArgv(processArgv: readonly string[], needsTypeScript: boolean): string[] {
  const kept: string[] = [];
  for (let i = 0; i < processArgv.length; i++) {
    const arg = processArgv[i]!;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!LOADER_FLAGS.has(name)) continue;
    if (eq !== -1) {
      kept.push(arg);
    } else if (i + 1 < processArgv.length) {
      kept.push(arg, processArgv[i + 1]!);
      i++;
    }
  }
  if (needsTypeScript && !hasTsx(kept)) kept.push('--import', 'tsx');
  return kept;
}

function hasTsx(argv: string[]): boolean {
  return argv.some((a, i) => /^--(import|loader)=tsx\b/.test(a) || (/^--(import|loader)$/.test(a) && argv[i + 1]?.startsWith('tsx') === true));
}
