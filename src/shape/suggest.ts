import { findRatio, type Ratio } from '../settings/ratios.js';

// A new project suggests its shape from its first photos (issue 28, item 4): when most of them are
// portrait, the film is offered as 9:16; mostly square, 1:1; mostly landscape, 16:9. Offered, never
// forced: the project keeps its shape until the creator takes the offer.

export type Orientation = 'portrait' | 'square' | 'landscape';

/** Within 10% of square counts as square: a 4:5 portrait is portrait, a 1080×1000 crop is square. */
export function orientationOf(width: number, height: number): Orientation {
  const a = width / height;
  if (a < 0.9) return 'portrait';
  if (a > 1 / 0.9) return 'landscape';
  return 'square';
}

/** The shape offered for photos that are mostly of one orientation. */
const SHAPE_FOR: Record<Orientation, string> = { portrait: '720:1280', square: '960:960', landscape: '1280:720' };

export interface ShapeOffer {
  ratio: Ratio;
  orientation: Orientation;
  /** How many of the photos are of that orientation, of how many. */
  count: number;
  of: number;
}

/**
 * The shape to offer a project of shape `current` for these photos (their upright sizes): the one
 * matching the orientation more than half of them share, unless the project is of that orientation
 * already (a 3:4 project is left alone with portrait photos). Null: nothing to offer.
 */
export function suggestShape(current: string, photos: Array<{ width: number; height: number }>): ShapeOffer | null {
  if (photos.length === 0) return null;
  const counts: Record<Orientation, number> = { portrait: 0, square: 0, landscape: 0 };
  for (const p of photos) counts[orientationOf(p.width, p.height)]++;
  const winner = (Object.keys(counts) as Orientation[]).find((o) => counts[o] * 2 > photos.length);
  if (!winner) return null;
  const now = findRatio(current);
  if (now && orientationOf(now.width, now.height) === winner) return null;
  return { ratio: findRatio(SHAPE_FOR[winner])!, orientation: winner, count: counts[winner], of: photos.length };
}
