import type { Conn } from '../platform/db.js';
import type { ExportResolution } from '../platform/db-types.js';
import { recentRenderRate } from './queries.js';

/**
 * Seconds of rendering per second of film when this installation has no exports of its own to go
 * by: the export bench's CPU time (0.46 and 0.99 s per film second, docs/benchmarks.md `export`)
 * over two cores, with a margin for a machine doing other work.
 */
export const DEFAULT_RENDER_RATE: Record<ExportResolution, number> = { 720: 0.35, 1080: 0.7 };

/** Downloading the clips, probing, storing: the part of an export that does not grow with its length. */
const FIXED_S = 3;

/**
 * How long an export of a film `totalS` long should take to render here: the median pace of this
 * installation's last exports at that resolution (a busy machine shows in them), else the bench's.
 */
export async function renderEstimateS(db: Conn, resolution: ExportResolution, totalS: number): Promise<number> {
  const { rate } = await recentRenderRate(db, resolution);
  return Math.round(FIXED_S + totalS * (rate ?? DEFAULT_RENDER_RATE[resolution]));
}

/** "about 40 seconds", "about 2 minutes": an estimate, never more precise than it is. */
export function aboutDuration(seconds: number): string {
  if (seconds < 60) return `about ${Math.max(5, Math.ceil(seconds / 5) * 5)} seconds`;
  const min = Math.round(seconds / 60);
  return `about ${min} ${min === 1 ? 'minute' : 'minutes'}`;
}
