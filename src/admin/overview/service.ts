import type { DB } from '../../platform/db.js';
import type { LazyQueue, Queues } from '../../platform/queues.js';
import { creditCounts, generationCounts, paymentMismatches, revenue, userCounts } from './queries.js';

const STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export interface QueueStats {
  name: string;
  counts: Record<(typeof STATES)[number], number> | null;
  workers: number | null;
}

/** Depth and live workers of a queue; null parts when Redis does not answer (the page still renders). */
async function queueStats(name: string, queue: LazyQueue): Promise<QueueStats> {
  const [counts, workers] = await Promise.allSettled([
    within(queue.getJobCounts(...STATES), 1500),
    within(queue.getWorkers(), 1500),
  ]);
  return {
    name,
    counts: counts.status === 'fulfilled' ? (counts.value as QueueStats['counts']) : null,
    workers: workers.status === 'fulfilled' ? workers.value.length : null,
  };
}

export async function overview(db: DB, queues: Queues) {
  const [users, generations, credits, money, mismatches, ...queueList] = await Promise.all([
    userCounts(db),
    generationCounts(db),
    creditCounts(db),
    revenue(db),
    paymentMismatches(db),
    queueStats('generation', queues.generation),
    queueStats('export', queues.export),
  ]);
  return { users, generations, credits, revenue: money, mismatches, queues: queueList };
}
