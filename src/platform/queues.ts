import type { JobsOptions, Queue } from 'bullmq';
import { redisOptions } from './redis.js';

export const QUEUE_NAMES = { generation: 'generation', drafts: 'drafts', export: 'export', analysis: 'analysis', account: 'account' } as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/** What the app and its tests use of a BullMQ queue. */
type QueueMethod = 'add' | 'getJob' | 'getJobs' | 'getJobState' | 'getJobCounts' | 'getWorkers' | 'remove';

/**
 * A BullMQ queue created on first use: BullMQ is 1 MB of bundled JavaScript (a third of what a
 * start would parse), and the web process needs it only to add a job or read a queue, not to answer
 * its first request (docs/decisions/0028). `load()` gives the queue itself, Redis or not.
 */
export type LazyQueue = Pick<Queue, QueueMethod> & { readonly name: QueueName; load(): Promise<Queue>; close(): Promise<void> };

export type Queues = Record<QueueName, LazyQueue> & {
  /** Loads BullMQ and creates every queue now (their Redis connections open): the web server does it once it listens. */
  warm(): Promise<void>;
  close(): Promise<void>;
};

/**
 * BullMQ's exports. Bundled (dist/), a dynamic import of it (CommonJS) gives its exports as the
 * default export only, with no named ones; under tsx or plain Node, the named ones are there too.
 */
async function loadBullmq(): Promise<Bullmq> {
  const m = (await import('bullmq')) as unknown as Partial<Bullmq> & { default?: Bullmq };
  if (m.Queue) return m as Bullmq;
  if (m.default?.Queue) return m.default;
  throw new Error('bullmq: no Queue export');
}
type Bullmq = typeof import('bullmq');

export interface QueueOptions {
  /** Told when BullMQ cannot be loaded (a broken install): each add fails, and says nothing else. */
  logger?: { error(obj: object, msg: string): void };
  /** Loads BullMQ; a test gives one that fails. */
  loadBullmq?: () => Promise<Bullmq>;
}

export function createQueues(redisUrl: string, prefix: string, opts: QueueOptions = {}): Queues {
  const loadModule = opts.loadBullmq ?? loadBullmq;
  const connection = { ...redisOptions(redisUrl), enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 };
  let closed = false;
  const make = (name: QueueName): LazyQueue => {
    let queue: Promise<Queue> | null = null;
    const load = () =>
      (queue ??= loadModule().then(
        ({ Queue }) => {
          const q = new Queue(name, { connection, prefix });
          q.on('error', () => {}); // adds fail fast instead; the sweeper re-enqueues what was missed
          if (closed) void q.close(); // created while closing: its connection must not hold the process
          return q;
        },
        (err: unknown) => {
          // Not kept: the next use tries again instead of failing silently for the life of the process.
          queue = null;
          opts.logger?.error({ err, queue: name }, 'could not load BullMQ; jobs cannot be queued');
          throw err;
        },
      ));
    const call =
      <K extends QueueMethod>(method: K) =>
      async (...args: unknown[]) => {
        const q = await load();
        return (q[method] as (...a: unknown[]) => unknown).apply(q, args);
      };
    return {
      name,
      load,
      add: call('add') as Queue['add'],
      getJob: call('getJob') as Queue['getJob'],
      getJobs: call('getJobs') as Queue['getJobs'],
      getJobState: call('getJobState') as Queue['getJobState'],
      getJobCounts: call('getJobCounts') as Queue['getJobCounts'],
      getWorkers: call('getWorkers') as Queue['getWorkers'],
      remove: call('remove') as Queue['remove'],
      async close() {
        if (queue) await (await queue).close();
      },
    };
  };
  const queues = {
    generation: make('generation'),
    drafts: make('drafts'),
    export: make('export'),
    analysis: make('analysis'),
    account: make('account'),
  };
  return {
    ...queues,
    async warm() {
      await Promise.all(Object.values(queues).map((q) => q.load()));
    },
    async close() {
      closed = true;
      await Promise.allSettled(Object.values(queues).map((q) => q.close()));
    },
  };
}

/**
 * Adds a job, giving up after a short wait when Redis is away. The caller's row stays the
 * source of truth (a clip stays `queued`), and the sweeper enqueues it again later.
 */
export async function enqueue(queue: LazyQueue, name: string, data: object, opts: JobsOptions & { jobId: string }, timeoutMs = 1500): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    // The wait is for Redis: loading BullMQ (the first add after a start) is not counted in it.
    const q = await queue.load();
    await Promise.race([
      q.add(name, data, { removeOnComplete: 1000, removeOnFail: 5000, ...opts }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('enqueue timed out')), timeoutMs);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
