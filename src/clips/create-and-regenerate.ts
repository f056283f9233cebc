import { randomUUID } from 'node:crypto';
import { getBalance } from '../credits/queries.js';
import { InsufficientCreditsError, spendCredits } from '../credits/service.js';
import { checkClipCap, claimStorage, roomLeft } from '../limits/quota.js';
import type { AppContext } from '../platform/context.js';
import { withTx, type Tx } from '../platform/db.js';
import type { Clip, Project } from '../platform/db-types.js';
import { ConflictError, NotFoundError, RateLimitedError } from '../platform/errors.js';
import { attemptPrice, getSettings, primaryRoute, type Settings } from '../settings/service.js';
import { ledgerReference } from '../generation/keys.js';
import { ratioOrDefault } from '../settings/ratios.js';
import { enqueueGeneration } from '../generation/service.js';
import type { NormalizedImage } from './image.js';
import { imageBytes, storeClipImage } from './store-image.js';
import * as q from './queries.js';
import { queueDraft } from '../drafts/service.js';
import { insertAiTake } from '../takes/queries.js';

// Charging and queueing a generation: a new clip, or the next attempt of one.

/** The primary provider and its model: what the clip is meant for and priced by (a failover keeps the price). */
function providerAndModel(ctx: AppContext, settings: Settings) {
  return primaryRoute(settings, ctx.config);
}

/** Queues the attempt after its commit; false when Redis is away (the clip stays queued and the sweeper enqueues it). */
export async function queueAttempt(ctx: AppContext, clip: Clip): Promise<boolean> {
  const enqueued = await enqueueGeneration(ctx, clip);
  if (!enqueued) ctx.logger.warn({ clipId: clip.id, requestId: clip.request_id }, 'generation not enqueued (Redis unavailable); the sweeper will');
  return enqueued;
}

/** The take this attempt will fill, written with its charge (the worker makes it ready or failed). */
function insertAttemptTake(tx: Tx, clip: Clip) {
  return insertAiTake(tx, { clip_id: clip.id, user_id: clip.user_id, attempt: clip.attempt, prompt: clip.prompt, provider: clip.provider, model: clip.model, duration_s: clip.duration_s, credits_spent: clip.credits_spent });
}

export interface NewClipInput {
  userId: string;
  project: Project;
  image: NormalizedImage;
  prompt: string;
  durationS: number;
  requestId: string;
}

/**
 * Stores the image under fresh keys, then one short transaction debits the credits (a conditional
 * update that cannot go below zero) and inserts the clip `queued` with the ledger row naming it.
 * No storage I/O runs inside the transaction, so it never holds the balance row or a pooled
 * connection while an upload crawls. A balance and quota check first means a clear refusal stores nothing;
 * the transaction claims the storage and checks the clip cap exactly (under the person's row lock);
 * if that or the debit still fails (a race) or anything else does, the stored objects are deleted. Then
 * the job is enqueued (or left to the sweeper).
 */
export async function createClip(ctx: AppContext, input: NewClipInput): Promise<Clip> {
  const settings = await getSettings(ctx.db);
  const route = providerAndModel(ctx, settings);
  const cost = attemptPrice(settings, ctx.config, input.durationS);
  const ratio = ratioOrDefault(input.project.ratio, settings.defaultRatio);
  const clipId = randomUUID();
  const { userId, project, image } = input;
  const balance = await getBalance(ctx.db, userId);
  if (balance < cost) throw new InsufficientCreditsError(cost, balance);
  const bytes = imageBytes(image);
  await roomLeft(ctx.db, settings, userId, bytes);

  const stored = await storeClipImage(ctx, { userId, projectId: project.id, clipId, requestId: input.requestId }, image);
  const { imageKey, thumbKey } = stored;

  let clip: Clip;
  try {
    clip = await withTx(ctx.db, async (tx) => {
      await claimStorage(tx, settings, userId, bytes);
      await checkClipCap(tx, settings, project.id);
      await spendCredits(tx, userId, cost, 'generation', ledgerReference(clipId, 1), 'Clip generation');
      const row = await q.insertClip(tx, {
        id: clipId,
        project_id: project.id,
        user_id: userId,
        image_key: imageKey,
        thumb_key: thumbKey,
        source_key: stored.sourceKey,
        image_bytes: bytes,
        prompt: input.prompt,
        status: 'queued',
        duration_s: input.durationS,
        ratio: ratio.value,
        ...route,
        credits_spent: cost,
        request_id: input.requestId,
      });
      await insertAttemptTake(tx, row);
      return row;
    });
  } catch (err) {
    await stored.forget();
    throw err;
  }
  await queueAttempt(ctx, clip);
  // The free draft plays in the film while the paid take is made; over the draft limit, no draft.
  await queueDraft(ctx, ctx.db, clip).catch((err) => {
    if (!(err instanceof RateLimitedError)) throw err;
  });
  return clip;
}

/**
 * In the caller's transaction, the locked clip `current` (ready or failed) becomes its next attempt,
 * queued on today's primary provider and model, with the owner's pages told. A creator's
 * regeneration and an admin's retry both start attempts here. Without `carried` the attempt is
 * charged today's price under its ledger reference `<clip>:<attempt>`; with it, the attempt holds
 * that many credits already paid and nothing is charged (an admin retry, docs/decisions/0005).
 * Queue the returned clip with queueAttempt once the transaction has committed.
 */
export async function beginNextAttempt(ctx: AppContext, tx: Tx, current: Clip, settings: Settings, opts: { requestId: string; carried?: number }): Promise<Clip> {
  const busy = () => new ConflictError('This clip is still being generated.', 'clip_busy');
  if (current.status !== 'ready' && current.status !== 'error' && current.status !== 'draft') throw busy();
  const attempt = current.attempt + 1;
  const route = providerAndModel(ctx, settings);
  let creditsSpent = opts.carried;
  if (creditsSpent === undefined) {
    creditsSpent = attemptPrice(settings, ctx.config, current.duration_s);
    await spendCredits(tx, current.user_id, creditsSpent, 'generation', ledgerReference(current.id, attempt), 'Clip regeneration');
  }
  const next = await q.startNextAttempt(tx, current.id, { attempt, ...route, creditsSpent, requestId: opts.requestId });
  if (!next) throw busy();
  await insertAttemptTake(tx, next);
  return next;
}

/**
 * The creator's regeneration: the next attempt of their finished clip, charged like a new clip. The
 * old video stays in place (and visible) until the new one has succeeded.
 */
export async function regenerateClip(ctx: AppContext, userId: string, clipId: string, requestId: string): Promise<Clip> {
  const settings = await getSettings(ctx.db);
  const clip = await withTx(ctx.db, async (tx) => {
    const current = await q.lockClipForUser(tx, userId, clipId);
    if (!current) throw new NotFoundError();
    return beginNextAttempt(ctx, tx, current, settings, { requestId });
  });
  await queueAttempt(ctx, clip);
  return clip;
}

/**
 * Animate with AI, many at once (POST /projects/:id/animate): every named clip of the person's
 * project starts its next attempt in one transaction, all charged or none. The total is checked
 * first, so a short balance is refused with what it needs before anything moves.
 */
export async function animateClips(ctx: AppContext, userId: string, projectId: string, clipIds: string[], requestId: string): Promise<Clip[]> {
  const settings = await getSettings(ctx.db);
  const started = await withTx(ctx.db, async (tx) => {
    const rows: Clip[] = [];
    for (const id of new Set(clipIds)) {
      const clip = await q.lockClipForUser(tx, userId, id);
      if (!clip || clip.project_id !== projectId) throw new NotFoundError();
      rows.push(clip);
    }
    const total = rows.reduce((n, c) => n + attemptPrice(settings, ctx.config, c.duration_s), 0);
    const balance = await getBalance(tx, userId);
    if (balance < total) throw new InsufficientCreditsError(total, balance);
    const out: Clip[] = [];
    for (const clip of rows) out.push(await beginNextAttempt(ctx, tx, clip, settings, { requestId }));
    return out;
  });
  for (const clip of started) await queueAttempt(ctx, clip);
  return started;
}
