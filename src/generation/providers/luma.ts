import type { Logger } from '../../platform/logger.js';
import type { Storage } from '../../storage/types.js';
import { combinePrompt } from '../prompt.js';
import { promptWithMotion } from '../motion-prompt.js';
import { lumaRequest, type LumaHttpOptions } from './luma-http.js';
import { ProviderError, type GenerationInput, type Provider, type TaskStatus } from './types.js';

/** Echoes ratios → Luma aspect_ratio (specs/luma.md, "Mapping from Echoes"). */
export const LUMA_ASPECT: Record<string, string> = {
  '1280:720': '16:9',
  '720:1280': '9:16',
  '960:960': '1:1',
  '1104:832': '4:3',
  '832:1104': '3:4',
  '1584:672': '21:9',
};

/** Luma makes 5 s or 9 s: up to 5 s asks for 5, longer for 9 (the clip then stores the real length). */
export function lumaDuration(seconds: number): '5s' | '9s' {
  return seconds <= 5 ? '5s' : '9s';
}

/** The start image must outlive the task: at least an hour, whatever the browser URLs' lifetime. */
const FRAME_URL_TTL_S = 3 * 3600;

/** Failure reasons are free text (no code field): content refusals are told apart by their words. */
export function classifyLumaFailure(reason: string | undefined): string {
  const r = reason ?? '';
  if (/moderat|safety|nsfw|content (policy|filter)|policy|inappropriate|prohibited|not allowed/i.test(r)) return 'SAFETY.LUMA';
  if (/image|keyframe|frame0|fetch|download|url/i.test(r)) return 'ASSET.LUMA';
  return 'LUMA.FAILED';
}

export function lumaStatus(body: unknown): TaskStatus {
  const g = (body ?? {}) as { state?: string; failure_reason?: string | null; assets?: { video?: unknown } | null };
  switch (g.state) {
    case 'queued':
      return { state: 'pending' };
    case 'dreaming':
      return { state: 'running' };
    case 'completed': {
      const url = g.assets?.video;
      if (typeof url !== 'string' || !url) return { state: 'failed', failureCode: 'NO_OUTPUT', failure: 'Generation completed without a video URL' };
      return { state: 'succeeded', outputUrl: url };
    }
    case 'failed':
      return { state: 'failed', failureCode: classifyLumaFailure(g.failure_reason ?? undefined), failure: g.failure_reason ?? undefined };
    default:
      throw new ProviderError(`Luma generation has an unknown state: ${String(g.state)}`, true, 'UNKNOWN_STATUS');
  }
}

export interface LumaDeps {
  baseUrl: string;
  apiKey: string;
  pollIntervalMs: number;
  storage: Storage;
  logger: Logger;
  /** The app's public address: local-disk media URLs are relative to it (PUBLIC_URL + /media/...). */
  publicUrl: string;
  /** Where Luma posts its callbacks (PUBLIC_URL + /webhooks/luma); none: polling alone. */
  callbackUrl?: string;
  http?: Partial<LumaHttpOptions>;
}

/** Luma Dream Machine (specs/luma.md): the start image by signed URL, polled, with callbacks as a hint. */
export function createLumaProvider(d: LumaDeps): Provider & { check(): Promise<void> } {
  const http = (log: Logger = d.logger): LumaHttpOptions => ({
    baseUrl: d.baseUrl,
    apiKey: d.apiKey,
    onRetry: (info) => log.warn(info, 'luma request retried'),
    ...d.http,
  });
  return {
    name: 'luma',
    pollIntervalMs: d.pollIntervalMs,

    async submit(input: GenerationInput, log?: Logger) {
      const aspect = LUMA_ASPECT[input.ratio];
      if (!aspect) throw new ProviderError(`Luma has no aspect ratio for ${input.ratio}`, false, 'BAD_INPUT');
      const frameUrl = async (key: string) => {
        const signed = await d.storage.signedUrl(key, { expiresInS: FRAME_URL_TTL_S });
        return signed.startsWith('/') ? `${d.publicUrl}${signed}` : signed;
      };
      const keyframes: Record<string, { type: 'image'; url: string }> = { frame0: { type: 'image', url: await frameUrl(input.imageKey) } };
      // The take ends on this photo (the next clip's): one clip flows into the next.
      if (input.endImageKey) keyframes.frame1 = { type: 'image', url: await frameUrl(input.endImageKey) };
      const body = {
        generation_type: 'video',
        model: input.model,
        // Ray 2 needs a prompt even with a keyframe.
        prompt: combinePrompt(promptWithMotion('luma', input.prompt, input.motion), input.systemPrompt) ?? 'Smooth, natural motion.',
        keyframes,
        aspect_ratio: aspect,
        duration: lumaDuration(input.durationS),
        resolution: '720p',
        ...(d.callbackUrl ? { callback_url: d.callbackUrl } : {}),
      };
      const res = await lumaRequest(http(log), 'POST', '/generations', body);
      const id = (res.body as { id?: unknown } | null)?.id;
      if (typeof id !== 'string' || !id) throw new ProviderError('Luma accepted the generation without an id', false, 'NO_TASK_ID');
      return { taskId: id };
    },

    async status(taskId: string, log?: Logger) {
      try {
        const res = await lumaRequest(http(log), 'GET', `/generations/${encodeURIComponent(taskId)}`);
        return lumaStatus(res.body);
      } catch (err) {
        if (err instanceof ProviderError && err.status === 404) return { state: 'failed', failureCode: 'TASK_NOT_FOUND', failure: 'The generation no longer exists at Luma' };
        throw err;
      }
    },

    async cancel(taskId: string, log?: Logger) {
      try {
        await lumaRequest(http(log), 'DELETE', `/generations/${encodeURIComponent(taskId)}`);
      } catch (err) {
        if (err instanceof ProviderError && err.status === 404) return;
        throw err;
      }
    },

    /** One cheap authenticated call (admin's "test connection"). */
    async check() {
      await lumaRequest({ ...http(), maxRetries: 0, timeoutMs: 10_000 }, 'GET', '/generations?limit=1');
    },
  };
}
