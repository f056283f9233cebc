// Clip cards and the new-clip form: cost preview, video previews, reordering (drag and drop with a
// mouse, dragging the handle on touch screens, or the ↑ ↓ buttons). Without this file every form
// still works as a plain post. No inline scripts: the CSP allows only our files.
import { csrfToken } from './csrf.js';
import './takes.js';

(function () {
  if (window.__echoesClips) return;
  window.__echoesClips = true;

  // ---- New-clip form: the cost follows the chosen length; short balances disable the button.
  function currentBalance(form) {
    var header = document.getElementById('credit-balance');
    var value = header ? header.getAttribute('data-credit-balance') : form.getAttribute('data-balance');
    return Number(value || 0);
  }

  function refreshForm(form) {
    var select = form.querySelector('[data-duration-select]');
    if (!select || select.selectedIndex < 0) return;
    var cost = Number(select.options[select.selectedIndex].getAttribute('data-cost') || 1);
    var balance = currentBalance(form);
    var short = balance < cost;
    var set = function (sel, text) {
      var el = form.querySelector(sel);
      if (el) el.textContent = text;
    };
    set('[data-clip-cost]', String(cost));
    set('[data-clip-cost-unit]', cost === 1 ? 'credit' : 'credits');
    set('[data-upload-balance]', String(balance));
    var warn = form.querySelector('[data-credits-short]');
    if (warn) warn.hidden = !short;
    var submit = form.querySelector('[data-upload-submit]');
    if (submit) submit.disabled = short;
  }

  function refreshForms() {
    document.querySelectorAll('form[data-upload-form]').forEach(refreshForm);
  }

  document.addEventListener('change', function (evt) {
    var form = evt.target.closest && evt.target.closest('form[data-upload-form]');
    if (form) refreshForm(form);
  });

  document.addEventListener('htmx:after:request', function (evt) {
    var form = evt.target;
    var ctx = evt.detail && evt.detail.ctx;
    if (!form.matches || !form.matches('form[data-upload-form]') || !ctx || !ctx.response) return;
    if (ctx.response.status < 400) {
      form.reset();
      // No stale picture beside "No file chosen" (upload.js shows the chosen photo).
      form.querySelectorAll('.upload-preview').forEach(function (img) { img.remove(); });
      var notice = form.querySelector('.upload-notice');
      if (notice) notice.textContent = '';
    }
  });

  // ---- The header's "N clips · M approved" follows the cards the page shows, whatever changed them
  // (an upload, a pushed card, a delete in another tab).
  function refreshCounts() {
    var g = document.getElementById('clip-grid');
    var clipsEl = document.querySelector('[data-clip-count]');
    if (!g || !clipsEl) return;
    var cards = g.querySelectorAll('.clip-card[data-clip-id]');
    var approved = g.querySelectorAll('.clip-card[data-clip-id].is-approved');
    clipsEl.textContent = cards.length + (cards.length === 1 ? ' clip' : ' clips');
    var approvedEl = document.querySelector('[data-approved-count]');
    if (approvedEl) approvedEl.textContent = approved.length + ' approved';
  }
  document.addEventListener('clips:changed', refreshCounts);

  // app.js updates the header balance on the same event; read it after that has run.
  document.addEventListener('htmx:after:swap', function () {
    setTimeout(function () {
      refreshForms();
      bindVideos();
      refreshCounts();
    }, 0);
  });
  // Cards pushed by the live stream arrive out of band; count once they are in.
  document.addEventListener('htmx:sse:after:message', function () { setTimeout(refreshCounts, 0); });

  // A pushed card replaces the one holding the keyboard focus (every committed change to a clip,
  // a move included, is pushed): put the focus back on the same control in the new card.
  var focusWas = null;
  document.addEventListener('htmx:sse:before:message', function () {
    var el = document.activeElement;
    var card = el && el !== document.body && el.closest ? el.closest('.clip-card[data-clip-id]') : null;
    focusWas = card ? { clip: card.getAttribute('data-clip-id'), label: el.getAttribute('aria-label') || el.textContent.trim(), tag: el.tagName } : null;
  });
  function restoreFocus() {
    if (!focusWas) return;
    var was = focusWas;
    var el = document.activeElement;
    if (el && el !== document.body && el.isConnected) return;
    var card = document.querySelector('.clip-card[data-clip-id="' + was.clip + '"]');
    if (!card) return;
    var same = Array.prototype.find.call(card.querySelectorAll(was.tag), function (c) {
      return (c.getAttribute('aria-label') || c.textContent.trim()) === was.label;
    });
    if (same) same.focus({ preventScroll: true });
  }
  document.addEventListener('htmx:sse:after:message', function () { restoreFocus(); setTimeout(restoreFocus, 0); });

  // ---- Video previews: muted loops that play while hovered (mouse) or when tapped (touch).
  var canHover = window.matchMedia && window.matchMedia('(hover: hover)').matches;
  function bindVideos() {
    document.querySelectorAll('video[data-clip-preview]:not([data-bound])').forEach(function (v) {
      v.setAttribute('data-bound', '');
      if (canHover) v.removeAttribute('controls');
    });
  }
  document.addEventListener('mouseover', function (evt) {
    var v = evt.target.closest && evt.target.closest('video[data-clip-preview]');
    if (v && v.paused) v.play().catch(function () {});
  });
  document.addEventListener('mouseout', function (evt) {
    var v = evt.target.closest && evt.target.closest('video[data-clip-preview]');
    if (v && !v.contains(evt.relatedTarget)) v.pause();
  });

  // ---- Reordering.
  function cardsOf(grid) {
    return Array.prototype.filter.call(grid.children, function (el) {
      return el.matches('.clip-card[data-clip-id]');
    });
  }

  function saveOrder(grid) {
    var cards = cardsOf(grid);
    if (!cards.length) return;
    var projectId = grid.getAttribute('data-project-id') || cards[0].getAttribute('data-project-id');
    var body = new URLSearchParams();
    cards.forEach(function (c) { body.append('clip_ids', c.getAttribute('data-clip-id')); });
    fetch('/projects/' + projectId + '/order', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': csrfToken(), accept: 'application/json' },
      body: body,
      credentials: 'same-origin',
    }).then(function (res) {
      if (!res.ok) return window.location.reload(); // the list changed elsewhere: show the truth
      var label = res.headers.get('x-undo-label');
      if (label) grid.dispatchEvent(new CustomEvent('echoes:edited', { bubbles: true, detail: { label: decodeURIComponent(label) } }));
    }, function () { window.location.reload(); });
  }

  /**
   * Puts `card` before or after `target`, depending on which half of it the pointer is past: the
   * left or right half when the two sit in one row, the top or bottom half when one is above the
   * other (a phone's single column, where the handle is always on the left).
   */
  function placeNear(card, target, x, y) {
    if (!target || target === card || target.parentNode !== card.parentNode) return false;
    var r = target.getBoundingClientRect();
    var c = card.getBoundingClientRect();
    var sameRow = Math.abs(c.top - r.top) < Math.min(c.height, r.height) / 2;
    var after = sameRow ? x > r.left + r.width / 2 : y > r.top + r.height / 2;
    var ref = after ? target.nextElementSibling : target;
    if (ref === card) return false;
    card.parentNode.insertBefore(card, ref);
    return true;
  }

  // New photos land in the order their uploads finished; photos.js asks for the order chosen.
  document.addEventListener('clips:reordered', function (evt) {
    var g = evt.target;
    if (g && g.matches && g.matches('[data-clip-grid]')) saveOrder(g);
  });

  // Mouse: HTML5 drag and drop, started from the card's handle so video seeking still works.
  var dragging = null;
  var orderBefore = '';
  function orderKey(grid) {
    return cardsOf(grid).map(function (c) { return c.getAttribute('data-clip-id'); }).join(',');
  }
  // A finger is not a mouse: Chrome on a touch screen laptop also starts an HTML5 drag from a touch
  // (with compatibility mousedowns), which fought the touch drag below and left the order unsaved.
  var lastPointer = 'mouse';
  document.addEventListener('pointerdown', function (evt) { lastPointer = evt.pointerType; }, true);
  document.addEventListener('mousedown', function (evt) {
    var handle = evt.target.closest && evt.target.closest('.clip-handle');
    if (handle && lastPointer === 'mouse') handle.closest('.clip-card').setAttribute('draggable', 'true');
  });
  document.addEventListener('dragstart', function (evt) {
    var card = evt.target.closest && evt.target.closest('.clip-card');
    if (card && (touchCard || lastPointer !== 'mouse')) {
      evt.preventDefault();
      return;
    }
    card = evt.target.closest && evt.target.closest('.clip-card[draggable="true"]');
    if (!card) return;
    dragging = card;
    orderBefore = orderKey(card.parentNode);
    card.classList.add('is-dragging');
    evt.dataTransfer.effectAllowed = 'move';
    evt.dataTransfer.setData('text/plain', card.getAttribute('data-clip-id'));
  });
  document.addEventListener('dragover', function (evt) {
    if (!dragging) return;
    var target = evt.target.closest && evt.target.closest('.clip-card');
    if (!target || target.parentNode !== dragging.parentNode) return;
    evt.preventDefault();
    placeNear(dragging, target, evt.clientX, evt.clientY);
  });
  document.addEventListener('drop', function (evt) {
    if (dragging) evt.preventDefault();
  });
  document.addEventListener('dragend', function () {
    stopScroll();
    if (!dragging) return;
    var card = dragging;
    dragging = null;
    card.classList.remove('is-dragging');
    card.removeAttribute('draggable');
    if (orderKey(card.parentNode) !== orderBefore) saveOrder(card.parentNode);
  });

  // While dragging near the top or bottom of the window, the page scrolls (faster the closer), and
  // the card keeps following the pointer through what scrolls into view.
  var EDGE = 72;
  var scrollLoop = null;
  var lastPoint = null;
  function autoScroll(x, y) {
    lastPoint = { x: x, y: y };
    if (scrollLoop) return;
    var tick = function () {
      var card = touchCard || dragging;
      if (!card || !lastPoint) { scrollLoop = null; return; }
      var h = window.innerHeight;
      var dy = lastPoint.y < EDGE ? -(EDGE - lastPoint.y) : lastPoint.y > h - EDGE ? lastPoint.y - (h - EDGE) : 0;
      if (dy !== 0) {
        window.scrollBy(0, Math.round(dy / 3));
        if (touchCard) placeUnder(touchCard, lastPoint.x, lastPoint.y);
      }
      scrollLoop = requestAnimationFrame(tick);
    };
    scrollLoop = requestAnimationFrame(tick);
  }
  function stopScroll() {
    if (scrollLoop) cancelAnimationFrame(scrollLoop);
    scrollLoop = null;
    lastPoint = null;
  }
  document.addEventListener('dragover', function (evt) {
    if (dragging) autoScroll(evt.clientX, evt.clientY);
  });

  /** Places the touch-dragged card by the card under the finger. */
  function placeUnder(card, x, y) {
    var under = document.elementFromPoint(x, y);
    var target = under && under.closest('.clip-card');
    placeNear(card, target, x, y);
  }

  // Touch and pen: drag the handle; the card follows the finger through the grid.
  var touchCard = null;
  document.addEventListener('pointerdown', function (evt) {
    if (evt.pointerType === 'mouse') return;
    var handle = evt.target.closest && evt.target.closest('.clip-handle');
    if (!handle) return;
    touchCard = handle.closest('.clip-card');
    orderBefore = orderKey(touchCard.parentNode);
    touchCard.classList.add('is-dragging');
    handle.setPointerCapture(evt.pointerId);
    evt.preventDefault();
  });
  document.addEventListener('pointermove', function (evt) {
    if (!touchCard) return;
    placeUnder(touchCard, evt.clientX, evt.clientY);
    autoScroll(evt.clientX, evt.clientY);
  });
  function endTouch() {
    stopScroll();
    if (!touchCard) return;
    var card = touchCard;
    touchCard = null;
    card.classList.remove('is-dragging');
    if (orderKey(card.parentNode) !== orderBefore) saveOrder(card.parentNode);
  }
  document.addEventListener('pointerup', endTouch);
  document.addEventListener('pointercancel', endTouch);

  /** Says where a clip went, for screen readers (the grid's live region). */
  function announce(text) {
    var status = document.querySelector('[data-order-status]');
    if (!status) return;
    // The same words twice in a row are read again only if the text changes in between.
    status.textContent = status.textContent === text ? text + '\u00a0' : text;
  }

  /** Moves the card one place earlier (-1) or later (+1) and saves; false when it cannot go further. */
  function step(card, by) {
    var grid = card.parentNode;
    var cards = cardsOf(grid);
    var i = cards.indexOf(card);
    var other = cards[i + by];
    if (!other) {
      announce(by < 0 ? 'This clip is already first.' : 'This clip is already last.');
      return false;
    }
    grid.insertBefore(card, by < 0 ? other : other.nextElementSibling);
    announce('Clip moved to position ' + (cardsOf(grid).indexOf(card) + 1) + ' of ' + cards.length + '.');
    saveOrder(grid);
    return true;
  }

  // The handle, focused: arrow keys move the card (up or left earlier, down or right later).
  document.addEventListener('keydown', function (evt) {
    var handle = evt.target.closest && evt.target.closest('.clip-handle');
    if (!handle) return;
    var by = evt.key === 'ArrowUp' || evt.key === 'ArrowLeft' ? -1 : evt.key === 'ArrowDown' || evt.key === 'ArrowRight' ? 1 : 0;
    if (!by) return;
    evt.preventDefault();
    var card = handle.closest('.clip-card');
    if (card && step(card, by)) {
      handle.focus();
      card.scrollIntoView({ block: 'nearest' });
    }
  });

  // ↑ ↓ buttons: move in place and save, instead of reloading the page.
  document.addEventListener('submit', function (evt) {
    var form = evt.target;
    var dir = form.getAttribute && form.getAttribute('data-move');
    if (!dir) return;
    var card = form.closest('.clip-card');
    var grid = card && card.parentNode;
    if (!grid) return;
    evt.preventDefault();
    if (!step(card, dir === 'up' ? -1 : 1)) return;
    // Moving the card took the focus away from its button: give it back, so the next key press moves it again.
    var button = form.querySelector('button');
    if (button) button.focus();
  });

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { refreshForms(); bindVideos(); });
  } else {
    refreshForms();
    bindVideos();
  }
})();
