// Echoes page behaviour shared by every page. No inline scripts: the CSP allows only our files.
import { csrfToken } from './csrf.js';

(function () {
  // The page's live stream (src/live/, opened by htmx's SSE extension) pushes what changes; the
  // fragments' own polls ("every 10s") are the fallback for when it cannot be open.
  var live = false;
  document.addEventListener('htmx:sse:after:connection', function () { live = true; });
  document.addEventListener('htmx:sse:error', function () { live = false; });
  document.addEventListener('htmx:sse:close', function () { live = false; });

  // htmx requests carry the CSRF token as a header.
  document.addEventListener('htmx:config:request', function (evt) {
    var ctx = evt.detail && evt.detail.ctx;
    // A panel whose pushed state could cross its own request's answer keeps a slow poll as a safety net.
    var keepsPolling = ctx && ctx.sourceElement && ctx.sourceElement.hasAttribute && ctx.sourceElement.hasAttribute('data-poll-when-live');
    if (live && !keepsPolling && ctx && ctx.sourceEvent && ctx.sourceEvent.type === 'every') {
      evt.preventDefault();
      return;
    }
    if (ctx && ctx.request && ctx.request.headers) ctx.request.headers['x-csrf-token'] = csrfToken();
  });

  // Destructive forms ask first: <form data-confirm="Delete this project?">
  document.addEventListener('submit', function (evt) {
    var form = evt.target;
    var question = form && form.getAttribute && form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) {
      evt.preventDefault();
      evt.stopImmediatePropagation();
    }
  }, true);

  // Copy buttons: <button data-copy="#selector">
  document.addEventListener('click', function (evt) {
    var btn = evt.target.closest && evt.target.closest('[data-copy]');
    if (!btn) return;
    var src = document.querySelector(btn.getAttribute('data-copy'));
    if (!src) return;
    var text = src.value || src.textContent;
    function done() {
      var old = btn.textContent; btn.textContent = 'Copied'; setTimeout(function () { btn.textContent = old; }, 1500);
    }
    // The Clipboard API exists only on https or localhost; elsewhere select the text and copy it.
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text).then(done);
    if (src.select) { src.select(); if (document.execCommand && document.execCommand('copy')) done(); }
  });

  // The account menu (a <details> in the header) behaves like a menu for the keyboard: Escape
  // closes it and gives the focus back to its button; tabbing out of it closes it.
  document.addEventListener('keydown', function (evt) {
    if (evt.key !== 'Escape') return;
    var menu = evt.target.closest && evt.target.closest('details.account-menu[open]');
    if (!menu) return;
    menu.open = false;
    menu.querySelector('summary').focus();
  });
  document.addEventListener('focusout', function (evt) {
    var menu = evt.target.closest && evt.target.closest('details.account-menu[open]');
    if (menu && evt.relatedTarget && !menu.contains(evt.relatedTarget)) menu.open = false;
  });

  // Balance updates pushed by fragments: an element with data-credit-balance-update="N".
  document.addEventListener('htmx:after:swap', function () {
    var upd = document.querySelector('[data-credit-balance-update]');
    var el = document.getElementById('credit-balance');
    if (upd && el) {
      var n = upd.getAttribute('data-credit-balance-update');
      el.textContent = n;
      el.setAttribute('data-credit-balance', n);
      upd.removeAttribute('data-credit-balance-update');
    }
  });
})();
