import { enqueue, type Queues } from '../platform/queues.js';

// Seam with the generation feature: the same job id, data and options as its enqueueGeneration,
// so its worker and sweeper treat an admin retry like any other attempt. BullMQ refuses ':' in
// custom job ids, hence `<clip>.<attempt>` (the first attempt's id is the clip id).

export function generationJobId(clipId: string, attempt: number): string {
  return attempt === 1 ? clipId : `${clipId}.${attempt}`;
}

export function enqueueGenerationAttempt(queues: Queues, clipId: string, attempt: number): Promise<boolean> {
  return enqueue(
    queues.generation,
    'generate',
    { clipId, attempt, step: 'submit' },
    { jobId: generationJobId(clipId, attempt), attempts: 8, backoff: { type: 'exponential', delay: 2000 } },
  );
}
