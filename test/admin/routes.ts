import type { FastifyInstance } from 'fastify';

/** Every route of the app as {method, url}, read from Fastify's own route tree. */
export function listRoutes(app: FastifyInstance): Array<{ method: string; url: string }> {
  const stack: string[] = [];
  const out: Array<{ method: string; url: string }> = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([\s│]*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack[depth] = m[2]!;
    stack.length = depth + 1;
    const url = stack.join('');
    for (const method of (m[3] ?? '').split(', ').filter(Boolean)) out.push({ method, url });
  }
  return out;
}

/** One concrete URL per admin route (ids filled with a real-looking uuid). */
export function concrete(url: string, id = '00000000-0000-4000-8000-000000000000'): string {
  return url.replace(/:id\b/g, id);
}
