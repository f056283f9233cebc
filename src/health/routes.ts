import fp from 'fastify-plugin';
import { sql } from 'kysely';

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}

/** GET /healthz: 200 when the database, Redis and storage answer; 503 naming what failed. */
export default fp(
  async (app) => {
    app.get('/healthz', { config: { access: 'public' } }, async (_req, reply) => {
      const probes: Record<string, () => Promise<unknown>> = {
        db: () => sql`select 1`.execute(app.db),
        redis: () => app.ctx.redis.ping(),
        storage: () => app.storage.check(),
      };
      const entries = await Promise.all(
        Object.entries(probes).map(async ([name, probe]) => {
          try {
            await withTimeout(probe(), 2000);
            return [name, 'ok'] as const;
          } catch {
            return [name, 'error'] as const;
          }
        }),
      );
      const checks = Object.fromEntries(entries);
      const failed = entries.filter(([, v]) => v !== 'ok').map(([k]) => k);
      reply.header('cache-control', 'no-store');
      if (failed.length) return reply.code(503).send({ status: 'error', failed, checks });
      return { status: 'ok', checks };
    });
  },
  { name: 'health', dependencies: ['context'] },
);
