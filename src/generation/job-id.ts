/**
 * One job per attempt: the clip id for the first (so adding it twice is a no-op), `<clip>.<attempt>`
 * after a regeneration. BullMQ refuses ':' in custom job ids, hence the dot.
 */
export function generationJobId(clipId: string, attempt: number): string {
  return attempt === 1 ? clipId : `${clipId}.${attempt}`;
}
