/** Fastify's route tree (`app.printRoutes({ commonPrefix: false })`) as "METHOD /path" lines; HEAD left out (it follows GET). */
export function registeredRoutes(tree: string): string[] {
  const found: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│├└─\s]*)(\S+) \(([A-Z, ]+)\)/.exec(line);
    if (!m) continue;
    const depth = Math.round([...m[1]!].length / 4);
    stack.length = depth;
    stack[depth] = m[2]!;
    for (const method of m[3]!.split(', ')) if (method !== 'HEAD') found.push(`${method} ${stack.join('')}`);
  }
  return found;
}
