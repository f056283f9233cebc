import { randomUUID } from 'node:crypto';
import { credits } from '../platform/format.js';
import { getBalance } from '../credits/queries.js';
import { InsufficientCreditsError, spendCredits } from '../credits/service.js';
import { checkClipCap, claimStorage, roomLeft } from '../limits/quota.js';
import type { AppContext } from '../platform/context.js';
import { withTx, type Tx } from '../platform/db.js';
import type { Clip, Project } from '../platform/db-types.js';
import { ConflictError, NotFoundError, RateLimitedError, UserError } from '../platform/errors.js';
import { attemptPrice, getSettings, primaryRoute, type Settings } from '../settings/service.js';
import { ledgerReference } from '../credits/ledger-reference.js';
import { ratioOrDefault } from '../settings/ratios.js';
import { enqueueGeneration } from '../generation/service.js';
import { startNextAttempt } from '../generation/queries.js';
import { endFrameRoute, endOption, type DirectionAsk, type Route } from './direction.js';
import type { NormalizedImage } from './image.js';
import { imageBytes, storeClipImage } from './store-image.js';
import * as q from './queries.js';
import { queueDraft } from '../drafts/service.js';
import { insertAiTake, lastAttempt } from '../takes/queries.js';

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
  return insertAiTake(tx, {
    clip_id: clip.id, user_id: clip.user_id, attempt: clip.attempt, prompt: clip.prompt, provider: clip.provider, model: clip.model,
    duration_s: clip.duration_s, credits_spent: clip.credits_spent, motion: clip.motion, end_image_key: clip.end_image_key,
  });
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

/** What the next attempt is made from: the creator's direction, and the provider and model that make it. */
export interface AttemptDirection {
  prompt: string;
  durationS: number;
  motion: string | null;
  /** The photo the take ends on (the next clip's), only with a route that can. */
  endImageKey: string | null;
  route: Route;
}

/** The clip's current direction on today's route (the one-click Animate and Try again, an admin's retry). */
function sameDirection(ctx: AppContext, clip: Clip, settings: Settings): AttemptDirection {
  const end = clip.end_image_key ? endFrameRoute(settings, ctx.config) : null;
  return { prompt: clip.prompt, durationS: clip.duration_s, motion: clip.motion, endImageKey: end ? clip.end_image_key : null, route: end ?? providerAndModel(ctx, settings) };
}

const canStartNext = (c: Clip) => c.status === 'ready' || c.status === 'error' || c.status === 'draft';
const busy = () => new ConflictError('This clip is still being generated.', 'clip_busy');

/**
 * In the caller's transaction, the locked clip `current` (ready, failed or a draft) becomes its next
 * attempt, queued with `direction` (default: its current one on today's primary route), with the
 * owner's pages told. A creator's regeneration and an admin's retry both start attempts here.
 * Without `carried` the attempt is charged its price under its ledger reference `<clip>:<attempt>`;
 * with it, the attempt holds that many credits already paid and nothing is charged (an admin retry,
 * docs/decisions/0005). `versions` > 1 charges each further version now, under its own attempt's
 * reference, and queues its take behind this one (the generation worker starts it when this ends).
 * Queue the returned clip with queueAttempt once the transaction has committed.
 */
export async function beginNextAttempt(
  ctx: AppContext,
  tx: Tx,
  current: Clip,
  settings: Settings,
  opts: { requestId: string; carried?: number; direction?: AttemptDirection; versions?: number },
): Promise<Clip> {
  if (!canStartNext(current)) throw busy();
  const d = opts.direction ?? sameDirection(ctx, current, settings);
  // After the first number free: a cancelled "2 versions" leaves a refunded take with the next one.
  const attempt = Math.max(current.attempt, await lastAttempt(tx, current.id)) + 1;
  let creditsSpent = opts.carried;
  if (creditsSpent === undefined) {
    creditsSpent = attemptPrice(settings, ctx.config, d.durationS, d.route);
    await spendCredits(tx, current.user_id, creditsSpent, 'generation', ledgerReference(current.id, attempt), 'Clip regeneration');
  }
  const row = { attempt, ...d.route, creditsSpent, requestId: opts.requestId, prompt: d.prompt, durationS: d.durationS, motion: d.motion, endImageKey: d.endImageKey };
  const next = await startNextAttempt(tx, current.id, row);
  if (!next) throw busy();
  await insertAttemptTake(tx, next);
  for (let v = 1; v < (opts.versions ?? 1); v++) {
    const a = attempt + v;
    await spendCredits(tx, current.user_id, creditsSpent, 'generation', ledgerReference(current.id, a), 'Clip regeneration (another version)');
    await insertAttemptTake(tx, { ...next, attempt: a });
  }
  return next;
}

/** The direction asked for, checked against the clip: a bad one is refused before anything is charged. */
async function resolveDirection(ctx: AppContext, tx: Tx, current: Clip, settings: Settings, ask: DirectionAsk): Promise<AttemptDirection> {
  let endImageKey: string | null = null;
  let route = providerAndModel(ctx, settings);
  if (ask.endNext) {
    const next = await q.nextClipImage(tx, current);
    if (!next) throw new UserError('This is the last clip: there is no next photo to end on.', 400, 'no_next_clip');
    const r = endFrameRoute(settings, ctx.config);
    if (!r) throw new ConflictError(endOption(settings, ctx.config, true).note ?? 'No provider here can end a take on a photo.', 'no_end_frame_provider');
    endImageKey = next;
    route = r;
  }
  return { prompt: ask.prompt ?? current.prompt, durationS: ask.durationS ?? current.duration_s, motion: ask.motion === undefined ? current.motion : ask.motion, endImageKey, route };
}

/**
 * The creator's regeneration (POST /clips/:id/regenerate): the next take of their finished clip from
 * a direction (fields left out keep the clip's), charged like a new clip, one charge per version,
 * all or none. When the form sent the price it showed, a different price is refused: the creator
 * confirmed that one. The film keeps its take until the new one has succeeded; none is destroyed.
 */
export async function regenerateClip(ctx: AppContext, userId: string, clipId: string, requestId: string, ask: DirectionAsk = { endNext: false, versions: 1 }): Promise<Clip> {
  const settings = await getSettings(ctx.db);
  const clip = await withTx(ctx.db, async (tx) => {
    const current = await q.lockClipForUser(tx, userId, clipId);
    if (!current) throw new NotFoundError();
    if (!canStartNext(current)) throw busy();
    const direction = await resolveDirection(ctx, tx, current, settings, ask);
    const total = attemptPrice(settings, ctx.config, direction.durationS, direction.route) * ask.versions;
    if (ask.price !== undefined && ask.price !== total) {
      throw new ConflictError(`This now costs ${credits(total)}, not the ${credits(ask.price)} shown. Nothing was charged: check the price and send again.`, 'price_changed');
    }
    const balance = await getBalance(tx, userId);
    if (balance < total) throw new InsufficientCreditsError(total, balance);
    return beginNextAttempt(ctx, tx, current, settings, { requestId, direction, versions: ask.versions });
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
