import type { Logger } from '../../platform/logger.js';

/** What a provider needs to start one clip; the clip row supplies it (jobs take ids, load fresh rows). */
export interface GenerationInput {
  clipId: string;
  /** The web request that created the attempt, for log lines. */
  requestId?: string;
  attempt: number;
  imageKey: string;
  /** Where the finished MP4 must end up (the local provider writes there itself). */
  outputKey: string;
  prompt: string;
  systemPrompt: string;
  model: string;
  ratio: string;
  width: number;
  height: number;
  durationS: number;
  /** A camera motion preset (../motion.ts), worded into the prompt or the provider's own control. */
  motion?: string | null;
  /** The photo the video must end on (only sent to a provider that can: canEndOnImage). */
  endImageKey?: string | null;
}

/** Whether a provider makes a video end on a given image (specs/luma.md: Luma's keyframes.frame1; Runway's gen4_turbo cannot). */
export function canEndOnImage(provider: string | null | undefined): boolean {
  return provider === 'luma';
}

export type TaskState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface TaskStatus {
  state: TaskState;
  /** 0..1 while running. */
  progress?: number;
  /** A URL to download the MP4 from (runway, luma), or … */
  outputUrl?: string;
  /** … the storage key the MP4 already sits at (local). */
  outputKey?: string;
  failureCode?: string;
  failure?: string;
}

/** One interface for every image-to-video service: start a task, follow it, stop it. */
export interface Provider {
  readonly name: 'runway' | 'luma' | 'local';
  /** `log` is the caller's logger (carrying the clip and request ids) for retries and warnings. */
  submit(input: GenerationInput, log?: Logger): Promise<{ taskId: string }>;
  status(taskId: string, log?: Logger): Promise<TaskStatus>;
  /** Stops the task; succeeds when the task is already gone or finished. */
  cancel(taskId: string, log?: Logger): Promise<void>;
  /** How long to wait between two polls (before jitter). */
  pollIntervalMs: number;
}

/**
 * A provider call that failed. `retryable` errors (overload, network) are tried again later by the
 * job; the others end the generation. `retryAfterMs` is the provider's own wish (Retry-After).
 */
export class ProviderError extends Error {
  constructor(
    message: string,
    public readonly retryable: boolean,
    public readonly code = 'PROVIDER_ERROR',
    public readonly status?: number,
    public readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}
