import { bytes, count } from '../platform/format.js';
import type { Conn, Tx } from '../platform/db.js';
import { ConflictError, TooLargeError } from '../platform/errors.js';
import type { Settings } from '../settings/defaults.js';
import { countClipsInProject, countProjects, lockUser, storageUsedBytes } from './queries.js';

const MB = 1024 * 1024;

export function quotaBytes(settings: Pick<Settings, 'storageQuotaMb'>): number {
  return settings.storageQuotaMb * MB;
}

export interface StorageUse {
  usedBytes: number;
  quotaBytes: number;
  /** Whole percent, capped at 100. */
  percent: number;
  /** "1.2 MB of 2.00 GB". */
  label: string;
  full: boolean;
}

/** A person's use against the quota, from the total on their row (no query). */
export function storageUse(settings: Pick<Settings, 'storageQuotaMb'>, user: { storage_bytes: number }): StorageUse {
  const usedBytes = user.storage_bytes;
  const quota = quotaBytes(settings);
  return {
    usedBytes,
    quotaBytes: quota,
    percent: Math.min(100, Math.floor((usedBytes / quota) * 100)),
    label: `${bytes(usedBytes)} of ${bytes(quota)}`,
    full: usedBytes >= quota,
  };
}

export class QuotaExceededError extends TooLargeError {
  constructor(used: number, quota: number) {
    super(
      `This upload does not fit in your storage: you use ${bytes(used)} of your ${bytes(quota)}. ` +
        'Delete clips, music or projects you no longer need to make room.',
      'quota_exceeded',
    );
  }
}

/**
 * The early refusal: `incoming` more bytes (a Content-Length, or a size known before storing) would
 * not fit. Returns the room left, which an upload's byte count can be held to while it streams.
 */
export async function roomLeft(db: Conn, settings: Pick<Settings, 'storageQuotaMb'>, userId: string, incoming = 0): Promise<number> {
  const used = await storageUsedBytes(db, userId);
  const quota = quotaBytes(settings);
  if (used + incoming > quota) throw new QuotaExceededError(used, quota);
  return quota - used;
}

/**
 * The exact check, inside the transaction that records the object's row: the person's row is
 * locked, so two uploads at once cannot both fit into the same free space. `freed` is what the
 * same transaction gives back (the track a new one replaces).
 */
export async function claimStorage(tx: Tx, settings: Pick<Settings, 'storageQuotaMb'>, userId: string, bytes: number, freed = 0): Promise<void> {
  await lockUser(tx, userId);
  const used = await storageUsedBytes(tx, userId);
  const quota = quotaBytes(settings);
  if (used - freed + bytes > quota) throw new QuotaExceededError(used, quota);
}

export class CapReachedError extends ConflictError {
  constructor(message: string) {
    super(message, 'cap_reached');
  }
}

export function projectCapMessage(max: number): string {
  return `You have reached the limit of ${count(max, 'project')}. Delete a project you no longer need to start a new one.`;
}

export function clipCapMessage(max: number): string {
  return `This project has reached the limit of ${count(max, 'clip')}. Delete a clip, or start a new project.`;
}

/** Refuses a project past the person's cap. Inside a transaction it locks the person first (no race). */
export async function checkProjectCap(db: Conn, settings: Pick<Settings, 'maxProjects'>, userId: string): Promise<void> {
  if (db.isTransaction) await lockUser(db as Tx, userId);
  if ((await countProjects(db, userId)) >= settings.maxProjects) throw new CapReachedError(projectCapMessage(settings.maxProjects));
}

/** Refuses a clip past the project's cap (call inside the transaction after claimStorage's lock). */
export async function checkClipCap(db: Conn, settings: Pick<Settings, 'maxClipsPerProject'>, projectId: string): Promise<void> {
  if ((await countClipsInProject(db, projectId)) >= settings.maxClipsPerProject) throw new CapReachedError(clipCapMessage(settings.maxClipsPerProject));
}
