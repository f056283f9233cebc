// The project's frame on a whole photo: where the film's crop falls (the card's crop editor, the
// new-clip form's preview). Sizes are fractions of the photo; the frame covers the whole of one side.

/**
 * The frame's size on a photo, as fractions of its width and height.
 * @param {number} photoW @param {number} photoH @param {number} frameW @param {number} frameH
 */
export function frameSize(photoW, photoH, frameW, frameH) {
  var fa = frameW / frameH;
  var pa = photoW / photoH;
  return pa > fa ? { w: fa / pa, h: 1 } : { w: 1, h: pa / fa };
}

/**
 * Places `frame` (absolutely positioned over the photo) around the focal point (x, y, each 0–1),
 * kept inside the photo, as the server crops it (src/clips/image.ts frameAround).
 * @param {HTMLElement} frame @param {{ w: number, h: number }} size @param {number} x @param {number} y
 */
export function placeFrame(frame, size, x, y) {
  var clamp = function (v, lo, hi) { return Math.min(hi, Math.max(lo, v)); };
  frame.style.left = clamp(x - size.w / 2, 0, 1 - size.w) * 100 + '%';
  frame.style.top = clamp(y - size.h / 2, 0, 1 - size.h) * 100 + '%';
  frame.style.width = size.w * 100 + '%';
  frame.style.height = size.h * 100 + '%';
}
