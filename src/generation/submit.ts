import type { AppContext } from '../platform/context.js';
import type { Clip } from '../platform/db-types.js';
import type { Logger } from '../platform/logger.js';
import { failoversTotal } from '../platform/metrics.js';
import { fallbackProvider, modelFor, type ProviderName, type Settings } from '../settings/service.js';
import { providerBreaker, type ProviderBreaker } from './breaker.js';
import { videoKeyFor } from './video-key.js';
import { canEndOnImage, providerFor, ProviderError, type GenerationInput, type Provider } from './providers/index.js';
import * as q from './queries.js';
import { ratioOrDefault } from '../settings/ratios.js';

const breakers = new WeakMap<AppContext, ProviderBreaker>();

export function breakerFor(ctx: AppContext): ProviderBreaker {
  let b = breakers.get(ctx);
  if (!b) {
    b = providerBreaker(ctx.redis, ctx.config.QUEUE_PREFIX, { threshold: ctx.config.PROVIDER_BREAKER_FAILURES, cooldownMs: ctx.config.PROVIDER_BREAKER_COOLDOWN_MS });
    breakers.set(ctx, b);
  }
  return b;
}

export function asProviderError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  return new ProviderError((err as Error)?.message ?? String(err), true, 'UNEXPECTED');
}

/**
 * Why a refusal to START a task is the provider's trouble, not the creator's (then the attempt may
 * go to the fallback); null for a bad input, a refused model or our own failures, which never do.
 */
export function failoverReason(pe: ProviderError): string | null {
  if (pe.code === 'NOT_CONFIGURED') return 'not_configured';
  if (pe.code === 'OUT_OF_CREDITS' || (pe.status !== undefined && pe.status < 500 && /(enough|out of|insufficient) credits/i.test(pe.message))) return 'out_of_credits';
  if (pe.code === 'NETWORK') return 'network';
  if (pe.status === 429) return 'rate_limited';
  if (pe.status !== undefined && pe.status >= 500) return 'server_error';
  return null;
}

export function inputFor(clip: Clip, s: Settings): GenerationInput {
  const size = ratioOrDefault(clip.ratio, s.defaultRatio);
  return {
    clipId: clip.id,
    requestId: clip.request_id ?? undefined,
    attempt: clip.attempt,
    imageKey: clip.image_key,
    outputKey: videoKeyFor(clip, clip.attempt),
    prompt: clip.prompt,
    systemPrompt: s.systemPrompt,
    model: clip.model ?? s.model,
    ratio: size.value,
    width: size.width,
    height: size.height,
    durationS: clip.duration_s,
    motion: clip.motion,
    endImageKey: clip.end_image_key,
  };
}

/**
 * The fallback this attempt may move to: none for a take that must end on a photo when the fallback
 * cannot (it would ignore the end frame and make a different take than the one paid for).
 */
function fallbackFor(ctx: AppContext, clip: Clip, s: Settings): ProviderName | null {
  const f = fallbackProvider(s, ctx.config, clip.provider ?? '');
  return f && (!clip.end_image_key || canEndOnImage(f)) ? f : null;
}

/** One submission, recorded before the request goes out (so a submitter that dies leaves a trace). */
async function tryStart(ctx: AppContext, clip: Clip, s: Settings, log: Logger): Promise<string> {
  const provider = providerFor(ctx, clip.provider);
  const rowId = await q.startSubmission(ctx.db, { clip_id: clip.id, attempt: clip.attempt, provider: provider.name, model: clip.model });
  try {
    const { taskId } = await provider.submit(inputFor(clip, s), log);
    await q.finishSubmission(ctx.db, rowId, { status: 'accepted', task_id: taskId });
    return taskId;
  } catch (err) {
    const pe = asProviderError(err);
    await q.finishSubmission(ctx.db, rowId, { status: 'refused', reason: failoverReason(pe) ?? pe.code, detail: pe.message }).catch(() => {});
    throw pe;
  }
}

async function moveToFallback(ctx: AppContext, clip: Clip, to: ProviderName, s: Settings, reason: string, log: Logger): Promise<Clip> {
  const moved = await q.switchProvider(ctx.db, clip.id, clip.attempt, { provider: to, model: modelFor(s, to), from: clip.provider!, reason });
  if (!moved) throw new ProviderError('The clip ended or was taken over while failing over', false, 'ABANDONED');
  failoversTotal.inc({ from: clip.provider!, to, reason });
  log.warn({ from: clip.provider, to, reason }, 'generation failed over to the fallback provider');
  return moved;
}

/**
 * Starts the claimed attempt: at the primary, or straight at the fallback while the primary is
 * marked down or its breaker is open; when the primary refuses for its own reasons, the same
 * attempt goes to the fallback, once. The charge stays what the creator was shown.
 */
export async function startAttempt(ctx: AppContext, claimed: Clip, s: Settings, log: Logger): Promise<{ clip: Clip; provider: Provider; taskId: string }> {
  const breaker = breakerFor(ctx);
  let clip = claimed;
  const vanished = await q.markVanished(ctx.db, clip.id, clip.attempt);
  if (vanished) log.error({ vanished, provider: clip.provider }, 'an earlier submitter of this attempt died before recording its task: a generation may run unfollowed at the provider');

  // A free draft (nothing charged) stays on the local render: it must never reach a paid provider.
  const mayFailOver = !clip.failover_from && clip.credits_spent > 0;
  const fallback = mayFailOver ? fallbackFor(ctx, clip, s) : null;
  if (fallback) {
    const skip = s.providersDown.includes(clip.provider as ProviderName) ? 'marked_down' : (await breaker.isOpen(clip.provider!)) ? 'breaker_open' : null;
    if (skip) {
      await q.recordSkipped(ctx.db, { clip_id: clip.id, attempt: clip.attempt, provider: clip.provider!, model: clip.model, reason: skip });
      clip = await moveToFallback(ctx, clip, fallback, s, skip, log);
    }
  }
  try {
    const taskId = await tryStart(ctx, clip, s, log);
    await breaker.success(clip.provider!);
    return { clip, provider: providerFor(ctx, clip.provider), taskId };
  } catch (err) {
    const pe = asProviderError(err);
    const reason = failoverReason(pe);
    if (!reason) throw pe;
    if (await breaker.failure(clip.provider!)) log.warn({ provider: clip.provider }, 'provider breaker opened: new clips go to the fallback');
    const next = mayFailOver ? fallbackFor(ctx, clip, s) : null;
    if (!next) throw pe;
    clip = await moveToFallback(ctx, clip, next, s, reason, log);
    const taskId = await tryStart(ctx, clip, s, log);
    await breaker.success(clip.provider!);
    return { clip, provider: providerFor(ctx, clip.provider), taskId };
  }
}
