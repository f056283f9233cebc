import { Queue, type JobsOptions } from 'bullmq';
import { redisOptions } from './redis.js';

export const QUEUE_NAMES = { generation: 'generation', drafts: 'drafts', export: 'export', analysis: 'analysis', account: 'account' } as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

export type Queues = Record<QueueName, Queue> & { close(): Promise<void> };

export function createQueues(redisUrl: string, prefix: string): Queues {
  const connection = { ...redisOptions(redisUrl), enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 };
  const make = (name: QueueName) => {
    const q = new Queue(name, { connection, prefix });
    q.on('error', () => {}); // adds fail fast instead; the sweeper re-enqueues what was missed
    return q;
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
    async close() {
      await Promise.allSettled(Object.values(queues).map((q) => q.close()));
    },
  };
}

/**
 * Adds a job, giving up after a short wait when Redis is away. The caller's row stays the
 * source of truth (a clip stays `queued`), and the sweeper enqueues it again later.
 */
export async function enqueue(queue: Queue, name: string, data: object, opts: JobsOptions & { jobId: string }, timeoutMs = 1500): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      queue.add(name, data, { removeOnComplete: 1000, removeOnFail: 5000, ...opts }),
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
