import fp from 'fastify-plugin';
import { timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process; features add their own counters here. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const httpDuration = new Histogram({
  name: 'echoes_http_request_duration_seconds',
  help: 'HTTP request duration by route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const generationsTotal = new Counter({
  name: 'echoes_generations_total',
  help: 'Finished generations by provider and outcome',
  labelNames: ['provider', 'outcome'] as const,
  registers: [registry],
});

export const generationDuration = new Histogram({
  name: 'echoes_generation_duration_seconds',
  help: 'Time from submission to a finished clip',
  labelNames: ['provider', 'outcome'] as const,
  buckets: [5, 15, 30, 60, 120, 300, 600, 1200],
  registers: [registry],
});

export const creditsMoved = new Counter({
  name: 'echoes_credits_total',
  help: 'Credits granted (positive ledger rows) and spent (negative), by ledger type',
  labelNames: ['direction', 'type'] as const,
  registers: [registry],
});

export const webhookEvents = new Counter({
  name: 'echoes_webhook_events_total',
  help: 'Stripe webhook events by type and result',
  labelNames: ['type', 'result'] as const,
  registers: [registry],
});

export const failoversTotal = new Counter({
  name: 'echoes_provider_failovers_total',
  help: 'Generation attempts sent to the fallback provider, by primary, fallback and reason',
  labelNames: ['from', 'to', 'reason'] as const,
  registers: [registry],
});

export const jobWait = new Histogram({
  name: 'echoes_job_wait_seconds',
  help: 'Time a job waited in its queue before a worker took it',
  labelNames: ['queue'] as const,
  buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
  registers: [registry],
});

/**
 * Records jobWait when a worker starts a job: from when it could first run (added, plus any delay
 * it was added with) to its start. Only the first start counts: a step job coming back from its
 * own delay (moveToDelayed), or a retry, did not wait in the queue for a worker.
 */
export function observeJobWait(queue: string, job: { timestamp: number; processedOn?: number; attemptsStarted: number; opts: { delay?: number } }): void {
  if (job.attemptsStarted > 1) return;
  const readyAt = job.timestamp + (job.opts.delay ?? 0);
  jobWait.observe({ queue }, Math.max(0, (job.processedOn ?? Date.now()) - readyAt) / 1000);
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const got = Buffer.from(header ?? '');
  const want = Buffer.from(`Bearer ${token}`);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** GET /metrics (Prometheus text), guarded by METRICS_TOKEN; refused in production without one. */
export default fp(
  async (app) => {
    app.addHook('onResponse', (req, reply, done) => {
      const route = req.routeOptions.url ?? 'unmatched';
      httpDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
      done();
    });

    registry.removeSingleMetric('echoes_queue_jobs'); // one app per process, except in tests
    // Queue depth is read when Prometheus scrapes, with a short timeout so Redis trouble never hangs /metrics.
    new Gauge({
      name: 'echoes_queue_jobs',
      help: 'Jobs in each queue by state',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const queues = { generation: app.queues.generation, export: app.queues.export, analysis: app.queues.analysis, account: app.queues.account };
        const results = await Promise.all(
          Object.entries(queues).map(async ([name, queue]) => {
            const counts = await Promise.race([
              queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'),
              new Promise<null>((resolve) => setTimeout(() => resolve(null), 500).unref()),
            ]).catch(() => null);
            return [name, counts] as const;
          }),
        );
        for (const [name, counts] of results) {
          if (!counts) continue;
          for (const [state, n] of Object.entries(counts)) this.set({ queue: name, state }, n);
        }
      },
    });

    // Public to the guard: the bearer token below is its check.
    app.get('/metrics', { config: { access: 'public' } }, async (req, reply) => {
      const token = app.config.METRICS_TOKEN;
      if (token ? !tokenMatches(req.headers.authorization, token) : app.config.NODE_ENV === 'production') {
        return reply.code(401).type('text/plain').send('metrics need a bearer token');
      }
      reply.type(registry.contentType);
      return registry.metrics();
    });
  },
  { name: 'metrics', dependencies: ['context'] },
);
