import { createHash } from 'node:crypto';

/**
 * What is kept of a deleted person's Google subject: a SHA-256 under a fixed label, so a later
 * sign-in can be recognised (no second sign-up credit) and nothing else. Not keyed with
 * SESSION_SECRET on purpose: rotating that secret would forget every deleted account.
 */
export function subjectHash(googleSub: string): string {
  return createHash('sha256').update(`echoes:deleted-subject:${googleSub}`).digest('hex');
}
