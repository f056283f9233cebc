import type { Readable } from 'node:stream';
import { imageWork, loadSharp } from '../../platform/image-work.js';
import type { Logger } from '../../platform/logger.js';
import type { Storage } from '../../storage/types.js';
import { combinePrompt } from '../prompt.js';
import { promptWithMotion } from '../motion-prompt.js';
import { runwayRequest, type RunwayHttpOptions } from './runway-http.js';
import { ProviderError, type GenerationInput, type Provider, type TaskStatus } from './types.js';

/** The whole data URI must stay under 5 MiB (specs/runway.md); leave headroom. */
const MAX_DATA_URI = 5 * 1024 * 1024 - 64 * 1024;
const MIME: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The normalised image as a data URI, re-encoded smaller in the rare case it is too big. */
export async function imageDataUri(bytes: Buffer, key: string): Promise<string> {
  const ext = key.split('.').pop()?.toLowerCase() ?? 'jpg';
  let mime = MIME[ext] ?? 'image/jpeg';
  let data = bytes;
  for (const quality of [80, 65, 50]) {
    if (`data:${mime};base64,`.length + Math.ceil(data.length / 3) * 4 <= MAX_DATA_URI) break;
    const sharp = await loadSharp();
    data = await imageWork.run(() => sharp(bytes).jpeg({ quality }).toBuffer());
    mime = 'image/jpeg';
  }
  return `data:${mime};base64,${data.toString('base64')}`;
}

function toStatus(body: unknown): TaskStatus {
  const t = (body ?? {}) as { status?: string; progress?: number; output?: unknown; failure?: string; failureCode?: string };
  switch (t.status) {
    case 'PENDING':
    case 'THROTTLED':
      return { state: 'pending' };
    case 'RUNNING':
      return { state: 'running', progress: typeof t.progress === 'number' ? Math.min(1, Math.max(0, t.progress)) : undefined };
    case 'SUCCEEDED': {
      const url = Array.isArray(t.output) ? t.output.find((u) => typeof u === 'string') : undefined;
      if (!url) return { state: 'failed', failureCode: 'NO_OUTPUT', failure: 'Task succeeded without an output URL' };
      return { state: 'succeeded', outputUrl: url };
    }
    case 'FAILED':
      return { state: 'failed', failureCode: t.failureCode, failure: t.failure };
    case 'CANCELLED':
      return { state: 'cancelled' };
    default:
      throw new ProviderError(`Runway task has an unknown status: ${String(t.status)}`, true, 'UNKNOWN_STATUS');
  }
}

export interface RunwayDeps {
  baseUrl: string;
  apiKey: string;
  pollIntervalMs: number;
  storage: Storage;
  logger: Logger;
  http?: Partial<RunwayHttpOptions>;
}

/** Runway's image_to_video API (specs/runway.md): no webhooks, so tasks are polled. */
export function createRunwayProvider(d: RunwayDeps): Provider {
  const http = (log: Logger = d.logger): RunwayHttpOptions => ({
    baseUrl: d.baseUrl,
    apiKey: d.apiKey,
    onRetry: (info) => log.warn(info, 'runway request retried'),
    ...d.http,
  });
  return {
    name: 'runway',
    pollIntervalMs: d.pollIntervalMs,

    async submit(input: GenerationInput, log?: Logger) {
      const image = await readAll(await d.storage.get(input.imageKey));
      const promptText = combinePrompt(promptWithMotion('runway', input.prompt, input.motion), input.systemPrompt);
      const body = {
        model: input.model,
        promptImage: await imageDataUri(image, input.imageKey),
        ratio: input.ratio,
        duration: input.durationS,
        ...(promptText ? { promptText } : {}),
      };
      const res = await runwayRequest(http(log), 'POST', '/v1/image_to_video', body);
      const id = (res.body as { id?: unknown } | null)?.id;
      if (typeof id !== 'string' || !id) throw new ProviderError('Runway accepted the task without an id', false, 'NO_TASK_ID');
      return { taskId: id };
    },

    async status(taskId: string, log?: Logger) {
      try {
        const res = await runwayRequest(http(log), 'GET', `/v1/tasks/${encodeURIComponent(taskId)}`);
        return toStatus(res.body);
      } catch (err) {
        if (err instanceof ProviderError && err.status === 404) {
          return { state: 'failed', failureCode: 'TASK_NOT_FOUND', failure: 'The task no longer exists at Runway' };
        }
        throw err;
      }
    },

    async cancel(taskId: string, log?: Logger) {
      try {
        await runwayRequest(http(log), 'DELETE', `/v1/tasks/${encodeURIComponent(taskId)}`);
      } catch (err) {
        if (err instanceof ProviderError && err.status === 404) return; // already gone
        throw err;
      }
    },
  };
}
