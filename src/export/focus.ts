/**
 * The point of a clip kept in frame when an export crops it to another shape: the clip's focal
 * point (clips.focus_x/focus_y, 0–1 across and down), or the centre when it has none. The focal
 * point is set on the photo, which was cropped to the project's shape around it; along the side
 * that photo crop kept whole (the usual case: a landscape photo in a 16:9 project loses height, a
 * 9:16 export then crops width) the photo's position is the clip's (decision 0035).
 */
export function clipFocus(clip: object): { x: number; y: number } {
  const { focus_x, focus_y } = clip as { focus_x?: number | null; focus_y?: number | null };
  const at = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0.5);
  return { x: at(focus_x), y: at(focus_y) };
}
