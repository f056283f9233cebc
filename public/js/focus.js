// The crop you can see (views/clips/_focus.eta): draws the project's frame on the whole photo at the
// clip's focal point, and lets it be dragged (mouse, touch or pen). Letting go sends the new focal
// point (POST /clips/:id/focus); the card comes back re-cropped. The step buttons need none of this.
(function () {
  if (window.__echoesFocus) return;
  window.__echoesFocus = true;

  /** Clips whose crop editor is open: a new card (after a move, or pushed) opens it again. */
  var open = new Set();

  function clamp(v, lo, hi) { return Math.min(hi, Math.max(lo, v)); }

  /** The frame's size as fractions of the photo (it covers the whole of one side). */
  function frameSize(editor, img) {
    var fa = Number(editor.getAttribute('data-frame-w')) / Number(editor.getAttribute('data-frame-h'));
    var pa = img.naturalWidth / img.naturalHeight;
    return pa > fa ? { w: fa / pa, h: 1 } : { w: 1, h: pa / fa };
  }

  function draw(editor, x, y) {
    var img = editor.querySelector('[data-focus-photo]');
    var frame = editor.querySelector('[data-focus-frame]');
    if (!img || !frame || !img.naturalWidth) return;
    var size = frameSize(editor, img);
    var left = clamp(x - size.w / 2, 0, 1 - size.w);
    var top = clamp(y - size.h / 2, 0, 1 - size.h);
    frame.style.left = left * 100 + '%';
    frame.style.top = top * 100 + '%';
    frame.style.width = size.w * 100 + '%';
    frame.style.height = size.h * 100 + '%';
  }

  function drawAll() {
    document.querySelectorAll('[data-focus-editor]').forEach(function (editor) {
      var img = editor.querySelector('[data-focus-photo]');
      var go = function () { draw(editor, Number(editor.getAttribute('data-x')), Number(editor.getAttribute('data-y'))); };
      if (img && !img.complete) img.addEventListener('load', go, { once: true });
      else go();
    });
    open.forEach(function (id) {
      var details = document.querySelector('#clip-' + id + ' details[data-focus]');
      if (details && !details.open) details.open = true;
    });
  }

  document.addEventListener('toggle', function (evt) {
    var details = evt.target;
    if (!details.matches || !details.matches('details[data-focus]')) return;
    var card = details.closest('[data-clip-id]');
    if (!card) return;
    if (details.open) { open.add(card.getAttribute('data-clip-id')); drawAll(); }
    else open.delete(card.getAttribute('data-clip-id'));
  }, true);

  // Dragging: the focal point follows the pointer over the photo.
  var drag = null;
  function pointAt(evt, editor) {
    var rect = editor.querySelector('[data-focus-photo]').getBoundingClientRect();
    return { x: clamp((evt.clientX - rect.left) / rect.width, 0, 1), y: clamp((evt.clientY - rect.top) / rect.height, 0, 1) };
  }
  document.addEventListener('pointerdown', function (evt) {
    var editor = evt.target.closest && evt.target.closest('[data-focus-editor]');
    if (!editor) return;
    evt.preventDefault();
    editor.setPointerCapture(evt.pointerId);
    drag = { editor: editor, point: pointAt(evt, editor) };
    draw(editor, drag.point.x, drag.point.y);
  });
  document.addEventListener('pointermove', function (evt) {
    if (!drag) return;
    drag.point = pointAt(evt, drag.editor);
    draw(drag.editor, drag.point.x, drag.point.y);
  });
  document.addEventListener('pointerup', function () {
    if (!drag) return;
    var d = drag;
    drag = null;
    var form = d.editor.closest('details, [data-focus-page]').querySelector('form[data-focus-drag]');
    if (!form) return;
    form.querySelector('input[name=x]').value = d.point.x.toFixed(3);
    form.querySelector('input[name=y]').value = d.point.y.toFixed(3);
    form.requestSubmit();
  });
  document.addEventListener('pointercancel', function () { drag = null; drawAll(); });

  document.addEventListener('htmx:after:swap', function () { setTimeout(drawAll, 0); });
  document.addEventListener('htmx:sse:after:message', function () { setTimeout(drawAll, 0); });
  window.addEventListener('resize', drawAll);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', drawAll);
  else drawAll();
})();
