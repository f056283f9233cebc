import sharp from 'sharp';

// The "DRAFT" mark burnt into a film's free-draft clips (issue 28.2: a film with drafts says so in the
// file itself). Drawn here from a 5×7 pixel font rather than by ffmpeg's drawtext, which needs a font
// file that a slim image or the ffmpeg shipped in npm may not find: the same pixels on every machine.

const GLYPHS: Record<string, string[]> = {
  D: ['####.', '#...#', '#...#', '#...#', '#...#', '#...#', '####.'],
  R: ['####.', '#...#', '#...#', '####.', '#.#..', '#..#.', '#...#'],
  A: ['.###.', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  F: ['#####', '#....', '#....', '####.', '#....', '#....', '#....'],
  T: ['#####', '..#..', '..#..', '..#..', '..#..', '..#..', '..#..'],
};
const TEXT = 'DRAFT';
const GLYPH_W = 5;
const GLYPH_H = 7;
/** Padding around the letters and the gap between them, in font pixels. */
const PAD_X = 3;
const PAD_Y = 2;
const GAP = 1;

/** The mark's white letters on a dark, mostly opaque plate (RGBA). */
export const MARK_INK = [255, 255, 255, 255] as const;
export const MARK_PLATE = [20, 20, 24, 190] as const;

export interface DraftMark {
  /** The PNG's size in film pixels. */
  width: number;
  height: number;
  /** Where it sits in the film's frame (top left, inset). */
  x: number;
  y: number;
  /** One font pixel, in film pixels. */
  unit: number;
}

/** The mark's size and place for a W×H film: letters about 3% of the frame's short side tall. */
export function draftMarkLayout(W: number, H: number): DraftMark {
  const unit = Math.max(2, Math.round(Math.min(W, H) / 240));
  const width = (PAD_X * 2 + TEXT.length * GLYPH_W + (TEXT.length - 1) * GAP) * unit;
  const height = (PAD_Y * 2 + GLYPH_H) * unit;
  const inset = Math.round(Math.min(W, H) * 0.03);
  return { width, height, x: inset, y: inset, unit };
}

/** Whether font pixel (col, row) of the plate is ink (a letter's pixel), for tests that look for it. */
export function isInk(col: number, row: number): boolean {
  const r = row - PAD_Y;
  const c = col - PAD_X;
  if (r < 0 || r >= GLYPH_H || c < 0) return false;
  const letter = Math.floor(c / (GLYPH_W + GAP));
  const within = c % (GLYPH_W + GAP);
  if (letter >= TEXT.length || within >= GLYPH_W) return false;
  return GLYPHS[TEXT[letter]!]![r]![within] === '#';
}

/** The mark as a PNG (RGBA) for a W×H film, with its layout. */
export async function draftMarkPng(W: number, H: number): Promise<{ png: Buffer; layout: DraftMark }> {
  const layout = draftMarkLayout(W, H);
  const { width, height, unit } = layout;
  const px = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Corners cut by one font pixel: a plate, not a box.
      const corner = (x < unit || x >= width - unit) && (y < unit || y >= height - unit);
      const colour = corner ? [0, 0, 0, 0] : isInk(Math.floor(x / unit), Math.floor(y / unit)) ? MARK_INK : MARK_PLATE;
      px.set(colour, (y * width + x) * 4);
    }
  }
  const png = await sharp(px, { raw: { width, height, channels: 4 } }).png().toBuffer();
  return { png, layout };
}
