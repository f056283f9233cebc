// The Undo toast of the project page (issue 30.4): after an undoable edit (a route answering with
// an x-undo-label header, or clips.js's 'echoes:edited' event after a reorder) it says what was
// done and offers Undo, which posts to /projects/:id/undo and shows the page as it is then. The
// page also has a plain Undo form, so nothing here is needed to undo. No inline scripts (CSP).
import { csrfToken } from './csrf.js';

(function () {
  if (window.__echoesUndo) return;
  window.__echoesUndo = true;

  var SHOWN_MS = 10000;
  var DONE_KEY = 'echoes-undone';
  var timer = null;

  function projectId() {
    var el = document.querySelector('[data-undo-project]');
    return el ? el.getAttribute('data-undo-project') : null;
  }

  function toast() {
    var el = document.querySelector('[data-undo-toast]');
    if (el) return el;
    el = document.createElement('div');
    el.className = 'undo-toast';
    el.setAttribute('data-undo-toast', '');
    el.setAttribute('role', 'status');
    el.setAttribute('aria-live', 'polite');
    el.hidden = true;
    el.innerHTML = '<span class="undo-toast-text" data-undo-text></span>' +
      '<button type="button" class="button button-small" data-undo-button>Undo</button>' +
      '<button type="button" class="undo-toast-close" data-undo-close aria-label="Dismiss">×</button>';
    document.body.appendChild(el);
    // Kept while the pointer or the keyboard is on it, so nobody loses it mid-reach.
    el.addEventListener('pointerenter', function () { clearTimeout(timer); });
    el.addEventListener('focusin', function () { clearTimeout(timer); });
    el.addEventListener('pointerleave', later);
    return el;
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(hide, SHOWN_MS);
  }

  function hide() {
    var el = document.querySelector('[data-undo-toast]');
    if (el) el.hidden = true;
  }

  function show(text, withUndo) {
    if (!projectId()) return;
    var el = toast();
    el.querySelector('[data-undo-text]').textContent = text;
    el.querySelector('[data-undo-button]').hidden = !withUndo;
    el.hidden = false;
    later();
  }

  function undo() {
    var id = projectId();
    var button = document.querySelector('[data-undo-button]');
    if (!id || !button || button.disabled) return;
    button.disabled = true;
    fetch('/projects/' + id + '/undo', {
      method: 'POST',
      headers: { 'x-csrf-token': csrfToken(), accept: 'application/json' },
      credentials: 'same-origin',
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        button.disabled = false;
        if (!res.ok) return show(body.error || 'Could not undo. Reload the page and try again.', false);
        // The page as it is now: everything the undo put back, in its place.
        try { sessionStorage.setItem(DONE_KEY, 'Undone: ' + String(body.undone || 'the last edit').toLowerCase() + '.'); } catch (e) { /* private mode */ }
        window.location.reload();
      });
    }, function () {
      button.disabled = false;
      show('Could not reach Echoes to undo. Check the connection and try again.', false);
    });
  }

  document.addEventListener('click', function (evt) {
    var t = evt.target;
    if (!t.closest) return;
    if (t.closest('[data-undo-button]')) undo();
    else if (t.closest('[data-undo-close]')) hide();
  });
  document.addEventListener('keydown', function (evt) {
    if (evt.key === 'Escape' && evt.target.closest && evt.target.closest('[data-undo-toast]')) hide();
  });

  function labelOf(response) {
    if (!response) return null;
    var h = response.headers || (response.raw && response.raw.headers);
    if (!h) return null;
    return typeof h.get === 'function' ? h.get('x-undo-label') : h['x-undo-label'] || null;
  }
  document.addEventListener('htmx:after:request', function (evt) {
    var ctx = evt.detail && evt.detail.ctx;
    var label = labelOf(ctx && ctx.response);
    if (label && ctx.response.status < 400) show(decodeURIComponent(label), true);
  });
  document.addEventListener('echoes:edited', function (evt) {
    if (evt.detail && evt.detail.label) show(evt.detail.label, true);
  });

  function announceUndone() {
    var text = null;
    try { text = sessionStorage.getItem(DONE_KEY); sessionStorage.removeItem(DONE_KEY); } catch (e) { /* private mode */ }
    if (text) show(text, false);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', announceUndone);
  else announceUndone();
})();
