// A clip's takes in a dialog: the card's "Takes (N)" link (views/takes/_control.eta) opens the list
// (GET /clips/:id/takes) in a modal dialog instead of its page. The list follows the clip while it is
// open: a pushed card whose data-takes-sig changed reloads it. After choosing or deleting a take the
// card is fetched again too, so the card follows even when the live stream is down.
// No inline scripts: the CSP allows only our files.

/** @typedef {{ ajax(verb: string, path: string, options: Record<string, unknown>): Promise<unknown> }} Htmx */

/** @returns {Htmx | null} */
function htmx() {
  return /** @type {{ htmx?: Htmx }} */ (/** @type {unknown} */ (window)).htmx ?? null;
}

/** @type {HTMLDialogElement | null} */
let dialog = null;
/** The clip whose takes the dialog shows, and the card's signature when the list was loaded. */
let shown = { clip: '', sig: '' };

function ensureDialog() {
  if (dialog) return dialog;
  const d = document.createElement('dialog');
  d.className = 'takes-dialog';
  d.id = 'takes-dialog';
  d.innerHTML = '<div class="takes-dialog-bar"><button type="button" class="button button-small button-secondary" data-takes-close>Close</button></div><div class="takes-dialog-body" id="takes-dialog-body"></div>';
  d.addEventListener('close', () => {
    const clipId = shown.clip;
    shown = { clip: '', sig: '' };
    // The focus goes back to the card's control, which a pushed card may have replaced meanwhile.
    setTimeout(() => {
      const control = /** @type {HTMLElement | null} */ (document.querySelector(`[data-takes-open="${clipId}"]`));
      if (control && (!document.activeElement || document.activeElement === document.body || !document.activeElement.isConnected)) control.focus();
    }, 0);
  });
  // A click on the backdrop (outside the dialog's box) closes it, as on a phone's sheet.
  d.addEventListener('click', (evt) => {
    if (evt.target === d) d.close();
  });
  document.body.appendChild(d);
  dialog = d;
  return d;
}

/** @param {string} clipId */
function sigOf(clipId) {
  const open = document.querySelector(`[data-takes-open="${clipId}"]`);
  return open ? open.getAttribute('data-takes-sig') || '' : '';
}

/** @param {string} clipId */
async function load(clipId) {
  const h = htmx();
  const d = ensureDialog();
  if (!h) return;
  shown = { clip: clipId, sig: sigOf(clipId) };
  await h.ajax('GET', `/clips/${clipId}/takes`, { target: '#takes-dialog-body', swap: 'innerHTML' });
  const title = d.querySelector('.takes-title');
  if (title && title.id) d.setAttribute('aria-labelledby', title.id);
}

document.addEventListener('click', (evt) => {
  const target = /** @type {Element | null} */ (evt.target);
  if (!target || !target.closest) return;
  if (target.closest('[data-takes-close]')) {
    dialog?.close();
    return;
  }
  const link = target.closest('a[data-takes-open]');
  if (!link || !htmx() || evt.button !== 0 || evt.metaKey || evt.ctrlKey || evt.shiftKey) return;
  evt.preventDefault();
  const clipId = link.getAttribute('data-takes-open') || '';
  const d = ensureDialog();
  const body = d.querySelector('#takes-dialog-body');
  if (body) body.innerHTML = '<p class="muted" role="status">Loading the takes…</p>';
  d.removeAttribute('aria-labelledby');
  d.setAttribute('aria-label', 'Takes');
  if (!d.open) d.showModal();
  void load(clipId);
});

/** The open list follows its clip's card: reloaded when the card's signature changed, closed when the card left. */
function followCard() {
  if (!dialog || !dialog.open || !shown.clip) return;
  const clipId = shown.clip;
  setTimeout(() => {
    if (!dialog || !dialog.open || shown.clip !== clipId) return;
    if (!document.getElementById(`clip-${clipId}`) && document.querySelector('#clip-grid')) {
      dialog.close(); // the clip was deleted (perhaps in another tab)
      return;
    }
    const sig = sigOf(clipId);
    if (sig && sig !== shown.sig) void load(clipId);
  }, 0);
}

const TAKE_ACTION = /\/clips\/([0-9a-f-]+)\/takes\/[0-9a-f-]+\/(select|delete)(?:$|[?#])/;

// Whatever was swapped (a pushed card, a poll, an answer): keep the open list in step with its clip.
document.addEventListener('htmx:after:swap', (evt) => {
  const ctx = /** @type {CustomEvent} */ (evt).detail?.ctx;
  const action = ctx && ctx.request && typeof ctx.request.action === 'string' ? ctx.request.action.match(TAKE_ACTION) : null;
  // A take chosen or deleted in the dialog: fetch its card again (its take, its count).
  if (action && ctx.response && ctx.response.status < 400) {
    const h = htmx();
    const clipId = action[1];
    if (h && document.getElementById(`clip-${clipId}`)) {
      // Its swap reloads the list when the signature moved (followCard): the action's own change
      // costs one more fetch of the list, but a take made meanwhile is never taken as seen.
      void h.ajax('GET', `/clips/${clipId}`, { target: `#clip-${clipId}`, swap: 'outerHTML' });
    }
    return;
  }
  followCard();
});
// Cards pushed by the live stream arrive out of band.
document.addEventListener('htmx:sse:after:message', followCard);
