import type { AppContext } from '../platform/context.js';
import { withTx, type Tx } from '../platform/db.js';
import type { AccountDeletion, User } from '../platform/db-types.js';
import { NotFoundError, UserError } from '../platform/errors.js';
import { enqueue } from '../platform/queues.js';
import { providerFor } from '../generation/providers/index.js';
import { failGeneration } from '../generation/service.js';
import * as q from './queries.js';
import { subjectHash } from '../auth/deleted-subjects.js';
import { rememberDeletedSubject } from '../auth/queries.js';
import { setAccountDisabled } from '../auth/service.js';
import { destroyUserSessions } from '../platform/session-store.js';

/** Every prefix a person's objects live under (design: storage keys), plus their data downloads. */
export const userPrefixes = (userId: string) => ['images', 'clips', 'music', 'exports', 'downloads'].map((k) => `${k}/${userId}/`);

const deletionJobId = (id: string) => `delete-account-${id}`;

export function enqueueDeletion(ctx: AppContext, deletionId: string): Promise<boolean> {
  return enqueue(ctx.queues.account, 'delete-account', { deletionId }, { jobId: deletionJobId(deletionId), attempts: 5, backoff: { type: 'exponential', delay: 10_000 } });
}

/**
 * Starts deleting an account: at once, the person is signed out everywhere, cannot sign in again
 * until it is done, and their Google subject is remembered (as a hash); then the job does the rest.
 * Asking twice changes nothing.
 */
export async function requestDeletion(
  ctx: AppContext,
  userId: string,
  requestedBy: 'self' | 'admin',
  /** Runs in the same transaction (the admin's audit row), so both land or neither. */
  alsoInTx?: (tx: Tx, deletion: AccountDeletion) => Promise<void>,
): Promise<AccountDeletion> {
  const deletion = await withTx(ctx.db, async (tx) => {
    const user = await q.findUserForUpdate(tx, userId);
    if (!user) throw new NotFoundError();
    if (!user.disabled_at) await setAccountDisabled(tx, userId, new Date());
    if (user.google_sub) await rememberDeletedSubject(tx, subjectHash(user.google_sub));
    await destroyUserSessions(tx, userId);
    const row = await q.insertDeletion(tx, userId, requestedBy);
    await alsoInTx?.(tx, row);
    return row;
  });
  // Redis away: the row stays pending and the sweeper (account-deletion-sweep) queues it later.
  await enqueueDeletion(ctx, deletion.id);
  return deletion;
}

/** The person's own check before deleting: their email, typed, compared without case or spaces. */
export function confirmEmailMatches(user: Pick<User, 'email'>, typed: unknown): void {
  const value = typeof typed === 'string' ? typed.trim().toLowerCase() : '';
  if (!value) throw new UserError('Type your email address to confirm.', 400, 'confirm_missing');
  if (value !== user.email.trim().toLowerCase()) throw new UserError('That is not the email address of this account. Nothing was deleted.', 400, 'confirm_mismatch');
}

export type DeletionStep = 'cancel' | 'storage' | 'rows';
export const DELETION_STEPS: DeletionStep[] = ['cancel', 'storage', 'rows'];

/** Stops generations still running: ended here (refunded, so the books add up) and cancelled at the provider. */
async function cancelGenerations(ctx: AppContext, userId: string): Promise<void> {
  for (const clip of await q.unfinishedClips(ctx.db, userId)) {
    await failGeneration(ctx, clip.id, clip.attempt, { code: 'ACCOUNT_DELETED', message: 'Cancelled', detail: 'account deleted' }, 'cancelled');
  }
  // Includes those stopped by an earlier, interrupted run: a provider's cancel is safe to repeat.
  for (const clip of await q.clipsStoppedByDeletion(ctx.db, userId)) {
    await Promise.resolve()
      .then(() => providerFor(ctx, clip.provider).cancel(clip.provider_task_id!, ctx.logger))
      .catch((err) => ctx.logger.warn({ clipId: clip.id, err: (err as Error).message }, 'provider cancel failed during account deletion'));
  }
}

async function deleteStorage(ctx: AppContext, userId: string): Promise<void> {
  for (const prefix of userPrefixes(userId)) await ctx.storage.deletePrefix(prefix);
}

/** What the local provider keeps in Redis of the person's renders (their input names the prompt and storage keys). */
async function forgetProviderTasks(ctx: AppContext, userId: string): Promise<void> {
  const local = providerFor(ctx, 'local');
  for (const taskId of await q.localTaskIds(ctx.db, userId)) await local.forget?.(taskId);
}

/**
 * One transaction: the books and the admin trail handed to the anonymous id, then the person's
 * row and all that hangs off it. The Redis task state goes first, while the rows still name it.
 */
async function deleteRows(ctx: AppContext, d: AccountDeletion, userId: string): Promise<void> {
  await forgetProviderTasks(ctx, userId);
  await withTx(ctx.db, async (tx) => {
    await q.ensureAnonHolder(tx, d.anon_id);
    await q.pseudonymiseAdminTrail(tx, userId, d.anon_id);
    await q.handBooksToAnon(tx, userId, d.anon_id);
    await q.deleteUserRow(tx, userId);
    await q.finishDeletion(tx, d.id);
  });
}

/**
 * Runs a deletion from wherever it stopped. Every step is safe to repeat, and the last one is a
 * single transaction, so a crash anywhere leaves something the next run finishes. `only` runs
 * a subset (tests interrupt a run this way).
 */
export async function runDeletion(ctx: AppContext, deletionId: string, only: DeletionStep[] = DELETION_STEPS): Promise<'done' | 'partial' | 'missing'> {
  const d = await q.findDeletion(ctx.db, deletionId);
  if (!d) return 'missing';
  if (d.status === 'done' || !d.user_id) return 'done';
  const userId = d.user_id;
  for (const step of DELETION_STEPS) {
    if (!only.includes(step)) continue;
    await q.setDeletionStep(ctx.db, d.id, step);
    if (step === 'cancel') await cancelGenerations(ctx, userId);
    if (step === 'storage') await deleteStorage(ctx, userId);
    if (step === 'rows') await deleteRows(ctx, d, userId);
  }
  const after = await q.findDeletion(ctx.db, deletionId);
  if (after?.status === 'done') {
    // A render or upload that finished between the storage step and now may have left an object.
    await deleteStorage(ctx, userId);
    return 'done';
  }
  return 'partial';
}
