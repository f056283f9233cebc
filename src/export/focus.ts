/**
 * The point of a clip kept in frame when an export crops it to another shape: the clip's focal
 * point (0–1 across and down its picture), or the centre when it has none.
 */
export function clipFocus(clip: object): { x: number; y: number } {
  const { focus_x, focus_y } = clip as { focus_x?: number | null; focus_y?: number | null };
  const at = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0.5);
  return { x: at(focus_x), y: at(focus_y) };
}
