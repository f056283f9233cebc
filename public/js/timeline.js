// @ts-check
// The film's timeline on the project page (views/film/_timeline.eta): places each clip's block from
// the numbers the server put on it (data-start-s, data-out-s: the film plan's, never re-derived),
// zooms and scrolls, moves a playhead with the music, trims by dragging a block's edges or with
// the arrow keys on them (snapping the cut to the beats or bars when beat sync is on), and reorders
// the film by dragging a block (a finger after a long press, so a plain swipe still scrolls) or with
// the left and right arrows on it. A trim is sent
// through the clip's own trim form, so the server checks it and answers with the fresh timeline.

const ZOOMS = [1, 1.5, 2.25, 3.5, 5, 8, 12];
const MIN_TRIM_S = 0.5;
const SNAP_PX = 14;
const KEY_COMMIT_MS = 700;
/** A block moves once the mouse has moved this far; a finger must first rest this long (else it scrolls). */
const REORDER_PX = 6;
const LONG_PRESS_MS = 350;
/** What Tab stops at inside the timeline. */
const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';

/** What outlives a refresh of the fragment (the live stream swaps it whole). */
const kept = {
  zoom: 0,
  scrollLeft: 0,
  /** @type {string | null} */ selected: null,
  /** The control that had the focus: a block's edge, or any other control by its place in the timeline. */
  /** @type {{ clip: string, edge: string } | { index: number } | null} */ focus: null,
  /** An edge is being moved: a refresh pushed meanwhile waits (the trim's own answer brings the fresh timeline). */
  editing: false,
  /** A move on the timeline was saved through the card grid: refresh when the save is done. */
  refreshAfterSave: false,
  /** The click that ends a drag does not also select the block. */
  suppressClick: false,
  /** What the last move said (the refreshes that follow it would otherwise wipe it at once). */
  /** @type {{ text: string, at: number } | null} */ notice: null,
  /** Points typed into a trim form and not sent yet, by the input's id: a refresh must not eat them. */
  /** @type {Map<string, string>} */ typed: new Map(),
};
const NOTICE_KEPT_MS = 5000;
const audio = new Audio();
audio.preload = 'metadata';
let playing = false;
/** Film time when there is no music to follow: where the clock started, and from when. */
let clock = { t0: 0, at: 0 };
let rafId = 0;

/** @param {Element} el @param {string} name */
const num = (el, name) => Number(el.getAttribute(name) || 0);
/** @param {number} v @param {number} lo @param {number} hi */
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
/** @param {number} t */
const secs = (t) => t.toFixed(2) + ' s';
/** @param {string} url */
const pathOf = (url) => new URL(url, location.href).pathname;

/**
 * Shows clip `id`'s panel in the timeline `root` and marks its block (the first clip's when `id` is
 * not in the film). Works on a timeline not yet in the page too, so a refresh arrives already showing
 * the chosen clip rather than the first one for a moment. @param {ParentNode} root @param {string | null} id
 */
function showSelected(root, id) {
  const blocks = [...root.querySelectorAll('.tl-block[data-clip-id]')];
  if (!id || !blocks.some((b) => b.getAttribute('data-clip-id') === id)) id = blocks[0]?.getAttribute('data-clip-id') ?? null;
  blocks.forEach((b) => b.classList.toggle('is-selected', b.getAttribute('data-clip-id') === id));
  root.querySelectorAll('[data-tl-panel]').forEach((panel) => {
    /** @type {HTMLElement} */ (panel).hidden = panel.getAttribute('data-tl-panel') !== id;
  });
  root.querySelectorAll('[data-tl-select]').forEach((btn) => btn.setAttribute('aria-expanded', String(btn.closest('.tl-block')?.getAttribute('data-clip-id') === id)));
  return id;
}

/** Puts back what was typed and not sent (kept.typed) into the trim forms under `root`. @param {ParentNode} root */
function restoreTyped(root) {
  for (const [id, value] of kept.typed) {
    const input = /** @type {HTMLInputElement | null} */ (root.querySelector(`#${CSS.escape(id)}`));
    if (input) input.value = value;
  }
}

function setup() {
  const root = /** @type {HTMLElement | null} */ (document.getElementById('timeline'));
  if (!root || root.hasAttribute('data-ready')) return;
  root.setAttribute('data-ready', '');
  const track = /** @type {HTMLElement | null} */ (root.querySelector('[data-timeline]'));
  const scroll = /** @type {HTMLElement | null} */ (root.querySelector('[data-tl-scroll]'));
  if (track && scroll) start(root, track, scroll);
}

/** @param {HTMLElement} root @param {HTMLElement} track @param {HTMLElement} scroll */
function start(root, track, scroll) {
  const total = num(root, 'data-total-s');
  const fade = num(root, 'data-crossfade-s');
  /** @type {number[]} */
  const snapGrid = JSON.parse(root.getAttribute('data-snap') || '[]');
  const musicUrl = root.getAttribute('data-music-url');
  if (!musicUrl) {
    audio.pause();
    audio.removeAttribute('src');
  } else if (!audio.getAttribute('src') || pathOf(audio.src) !== pathOf(musicUrl)) {
    audio.src = musicUrl;
  }
  const blocks = /** @type {HTMLElement[]} */ ([...track.querySelectorAll('.tl-block[data-clip-id]')]);
  const playhead = /** @type {HTMLElement | null} */ (root.querySelector('[data-tl-playhead]'));
  const end = /** @type {HTMLElement | null} */ (root.querySelector('[data-tl-end]'));
  const timeOut = root.querySelector('[data-tl-time]');
  const playBtn = root.querySelector('[data-tl-play]');
  const playLabel = root.querySelector('[data-tl-play-label]');

  /** Pixels per second: the whole film fits at the first zoom (never under 20 px a second). */
  const pps = () => Math.max(20, (scroll.clientWidth - 2) / Math.max(total, 0.1)) * ZOOMS[kept.zoom];

  /**
   * Only writes styles: the scale is read once by the caller (layout passes it for all the blocks:
   * reading scroll.clientWidth after each block's writes forced a layout per block).
   * @param {HTMLElement} b @param {number} [inS] @param {number} [outS] @param {number} [p]
   */
  function placeBlock(b, inS, outS, p = pps()) {
    const start = num(b, 'data-start-s');
    const take = num(b, 'data-take-s') || 1;
    const trimIn = inS ?? num(b, 'data-trim-in-s');
    const trimOut = outS ?? num(b, 'data-trim-out-s');
    // Dragging shows the trim as it will be sent; at rest, what the plan shows (the beat cut too).
    const shown = inS === undefined && outS === undefined ? num(b, 'data-shown-s') : trimOut - trimIn;
    const length = inS === undefined && outS === undefined ? num(b, 'data-out-s') - start : shown;
    b.style.left = start * p + 'px';
    b.style.width = Math.max(0, length * p) + 'px';
    const used = /** @type {HTMLElement | null} */ (b.querySelector('.tl-take-used'));
    const beat = /** @type {HTMLElement | null} */ (b.querySelector('.tl-take-beat'));
    if (used) {
      used.style.left = (trimIn / take) * 100 + '%';
      used.style.width = (shown / take) * 100 + '%';
    }
    if (beat) {
      beat.style.left = ((trimIn + shown) / take) * 100 + '%';
      beat.style.width = (Math.max(0, trimOut - trimIn - shown) / take) * 100 + '%';
    }
  }

  function layout() {
    const p = pps();
    track.style.width = Math.max(total * p, 10) + 'px';
    blocks.forEach((b) => placeBlock(b, undefined, undefined, p));
    if (end) end.style.left = total * p + 'px';
    drawPlayhead(p);
  }

  // ---- playback: the playhead follows the music (or a clock when there is none) ----
  const now = () => (musicUrl ? audio.currentTime : playing ? clock.t0 + (performance.now() - clock.at) / 1000 : clock.t0);

  /** @param {number} [p] */
  function drawPlayhead(p = pps()) {
    const t = Math.min(now(), total);
    if (playhead) playhead.style.transform = `translateX(${t * p}px)`;
    if (timeOut) timeOut.textContent = secs(t);
    let current = -1;
    blocks.forEach((b, i) => {
      if (t >= num(b, 'data-start-s')) current = i;
    });
    blocks.forEach((b, i) => b.classList.toggle('is-current', playing && i === current));
    if (playing) {
      const x = t * p;
      if (x < scroll.scrollLeft || x > scroll.scrollLeft + scroll.clientWidth - 24) scroll.scrollLeft = Math.max(0, x - 40);
    }
  }

  function frame() {
    if (!root || !root.isConnected) return;
    if (playing && now() >= total) stop(true);
    drawPlayhead();
    if (playing) rafId = requestAnimationFrame(frame);
  }

  function renderPlay() {
    if (playBtn) playBtn.setAttribute('aria-pressed', String(playing));
    if (playLabel) playLabel.textContent = playing ? 'Pause' : 'Play';
  }

  /** @param {boolean} [toStart] */
  function stop(toStart) {
    if (!musicUrl) clock = { t0: toStart ? 0 : now(), at: performance.now() };
    playing = false;
    audio.pause();
    if (toStart && musicUrl) audio.currentTime = 0;
    renderPlay();
  }

  function play() {
    if (now() >= total - 0.05) seek(0);
    playing = true;
    if (musicUrl) audio.play().catch(() => stop());
    else clock = { t0: clock.t0, at: performance.now() };
    renderPlay();
    cancelAnimationFrame(rafId);
    rafId = requestAnimationFrame(frame);
  }

  /** @param {number} t */
  function seek(t) {
    t = clamp(t, 0, total);
    if (musicUrl) audio.currentTime = t;
    clock = { t0: t, at: performance.now() };
    drawPlayhead();
  }

  playBtn?.addEventListener('click', () => (playing ? stop() : play()));
  audio.onended = () => stop(true);
  track.addEventListener('click', (e) => {
    const target = /** @type {Element} */ (e.target);
    if (target.closest('.tl-block')) return;
    seek((e.clientX - track.getBoundingClientRect().left) / pps());
  });

  // ---- zoom and scroll ----
  /** @param {number} dir */
  function zoom(dir) {
    const centre = (scroll.scrollLeft + scroll.clientWidth / 2) / pps();
    kept.zoom = clamp(kept.zoom + dir, 0, ZOOMS.length - 1);
    layout();
    scroll.scrollLeft = centre * pps() - scroll.clientWidth / 2;
  }
  root.querySelectorAll('[data-tl-zoom]').forEach((btn) => btn.addEventListener('click', () => zoom(btn.getAttribute('data-tl-zoom') === 'in' ? 1 : -1)));
  scroll.addEventListener('keydown', (e) => {
    if (e.target !== scroll) return;
    if (e.key === '+' || e.key === '=') zoom(1);
    else if (e.key === '-') zoom(-1);
  });
  scroll.addEventListener('scroll', () => { kept.scrollLeft = scroll.scrollLeft; });

  // ---- selection: the chosen block's details (what it loses, its trim form) ----
  /** @param {string | null} id */
  function select(id) {
    kept.selected = showSelected(root, id);
  }
  root.querySelectorAll('[data-tl-select]').forEach((btn) => btn.addEventListener('click', () => select(btn.closest('.tl-block')?.getAttribute('data-clip-id') ?? null)));

  // ---- trimming by the edges ----
  /**
   * The trim an edge moved to `v` (seconds into the take) gives, snapped so the clip's cut lands on
   * the grid when beat sync is on (and Shift is not held).
   * @param {HTMLElement} b @param {'in' | 'out'} edge @param {number} v @param {boolean} free
   */
  function trimFor(b, edge, v, free) {
    const start = num(b, 'data-start-s');
    const take = num(b, 'data-take-s');
    let trimIn = num(b, 'data-trim-in-s');
    let trimOut = num(b, 'data-trim-out-s');
    if (edge === 'out') trimOut = clamp(v, trimIn + MIN_TRIM_S, take);
    else trimIn = clamp(v, 0, trimOut - MIN_TRIM_S);
    if (!free && snapGrid.length) {
      const cut = start + (trimOut - trimIn) - fade / 2;
      const near = snapGrid.reduce((best, g) => (Math.abs(g - cut) < Math.abs(best - cut) ? g : best), Infinity);
      if (Math.abs(near - cut) * pps() <= SNAP_PX) {
        const length = near + fade / 2 - start;
        if (edge === 'out' && trimIn + length <= take + 1e-6 && length >= MIN_TRIM_S) trimOut = trimIn + length;
        if (edge === 'in' && trimOut - length >= -1e-6 && length >= MIN_TRIM_S) trimIn = Math.max(0, trimOut - length);
      }
    }
    return { trimIn: Math.round(trimIn * 1000) / 1000, trimOut: Math.round(trimOut * 1000) / 1000 };
  }

  /** @param {HTMLElement} b @param {{ trimIn: number, trimOut: number }} trim @param {string} edge */
  function preview(b, trim, edge) {
    placeBlock(b, trim.trimIn, trim.trimOut);
    let tip = /** @type {HTMLElement | null} */ (b.querySelector('.tl-drag-tip'));
    if (!tip) {
      tip = document.createElement('span');
      tip.className = 'tl-drag-tip';
      b.appendChild(tip);
    }
    tip.textContent = (edge === 'in' ? 'In ' + secs(trim.trimIn) : 'Out ' + secs(trim.trimOut)) + ' · ' + secs(trim.trimOut - trim.trimIn);
    tip.style.left = edge === 'in' ? '0' : '100%';
    const slider = b.querySelector(`[data-edge="${edge}"]`);
    const v = edge === 'in' ? trim.trimIn : trim.trimOut;
    slider?.setAttribute('aria-valuenow', String(v));
    slider?.setAttribute('aria-valuetext', secs(v));
  }

  /** Sends the trim through the clip's form (the server checks it, then the timeline is refreshed). @param {HTMLElement} b @param {{ trimIn: number, trimOut: number }} trim */
  function commit(b, trim) {
    const id = b.getAttribute('data-clip-id');
    // The page's current form: the timeline may have been refreshed meanwhile.
    const form = /** @type {HTMLFormElement | null} */ (document.querySelector(`#timeline [data-trim-form="${id}"]`));
    if (!form) return;
    if (Math.abs(trim.trimIn - num(b, 'data-trim-in-s')) < 0.0005 && Math.abs(trim.trimOut - num(b, 'data-trim-out-s')) < 0.0005) {
      placeBlock(b);
      b.querySelector('.tl-drag-tip')?.remove();
      return;
    }
    /** @type {HTMLInputElement} */ (form.elements.namedItem('in_s')).value = trim.trimIn.toFixed(3);
    /** @type {HTMLInputElement} */ (form.elements.namedItem('out_s')).value = trim.trimOut.toFixed(3);
    kept.selected = id;
    form.requestSubmit();
  }

  blocks.forEach((b) => {
    b.querySelectorAll('[data-edge]').forEach((el) => {
      const handle = /** @type {HTMLElement} */ (el);
      const edge = handle.getAttribute('data-edge') === 'in' ? 'in' : 'out';
      /** @type {{ x: number, v: number, id: number } | null} */
      let drag = null;
      /** @type {{ trimIn: number, trimOut: number } | null} */
      let pending = null;
      handle.addEventListener('pointerdown', (e) => {
        e.preventDefault();
        handle.setPointerCapture(e.pointerId);
        drag = { x: e.clientX, v: num(b, edge === 'in' ? 'data-trim-in-s' : 'data-trim-out-s'), id: e.pointerId };
        kept.editing = true;
        b.classList.add('is-dragging');
        select(b.getAttribute('data-clip-id'));
      });
      handle.addEventListener('pointermove', (e) => {
        if (!drag || e.pointerId !== drag.id) return;
        pending = trimFor(b, edge, drag.v + (e.clientX - drag.x) / pps(), e.shiftKey);
        preview(b, pending, edge);
      });
      const finish = () => {
        if (!drag) return;
        drag = null;
        kept.editing = false;
        b.classList.remove('is-dragging');
        if (pending) commit(b, pending);
        pending = null;
      };
      handle.addEventListener('pointerup', finish);
      handle.addEventListener('pointercancel', () => {
        drag = null;
        kept.editing = false;
        pending = null;
        b.classList.remove('is-dragging');
        placeBlock(b);
      });

      // Arrow keys: to the next beat (or bar) for the cut when beat sync is on, else 0.1 s; Shift: 0.01 s.
      /** @type {number | undefined} */
      let timer;
      handle.addEventListener('keydown', (e) => {
        const dir = e.key === 'ArrowRight' || e.key === 'ArrowUp' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowDown' ? -1 : 0;
        const cur = pending ?? { trimIn: num(b, 'data-trim-in-s'), trimOut: num(b, 'data-trim-out-s') };
        const v = edge === 'in' ? cur.trimIn : cur.trimOut;
        let next;
        if (e.key === 'Home') next = trimFor(b, edge, 0, true);
        else if (e.key === 'End') next = trimFor(b, edge, num(b, 'data-take-s'), true);
        else if (!dir) return;
        else if (snapGrid.length && !e.shiftKey) {
          // The cut moves with the out edge (+) and against the in edge (−): step it to the neighbouring grid time.
          const start = num(b, 'data-start-s');
          const cut = start + (cur.trimOut - cur.trimIn) - fade / 2;
          const cutDir = edge === 'out' ? dir : -dir;
          const g = cutDir > 0 ? snapGrid.find((x) => x > cut + 0.01) : [...snapGrid].reverse().find((x) => x < cut - 0.01);
          next = g === undefined ? trimFor(b, edge, v + dir * 0.1, true) : trimFor(b, edge, edge === 'out' ? cur.trimIn + g + fade / 2 - start : cur.trimOut - (g + fade / 2 - start), true);
        } else next = trimFor(b, edge, v + dir * (e.shiftKey ? 0.01 : 0.1), true);
        e.preventDefault();
        pending = next;
        preview(b, next, edge);
        kept.editing = true;
        clearTimeout(timer);
        timer = window.setTimeout(() => {
          kept.editing = false;
          kept.focus = { clip: b.getAttribute('data-clip-id') || '', edge };
          if (pending) commit(b, pending);
          pending = null;
        }, KEY_COMMIT_MS);
      });
    });
  });

  // ---- reordering: drag a block (a mouse at once, a finger after a long press) or arrow keys on it ----
  /**
   * Puts the film's clips in `order` into the card grid's film places (clips not in the film keep
   * theirs) and lets clips.js save the grid's order, as a drag of the cards does: one order, one
   * route (POST /projects/:id/order), one Undo toast. False when the cards and the timeline disagree
   * (a change arrived meanwhile): the refresh that is on its way shows the truth.
   * @param {string[]} order @param {HTMLElement} moved
   */
  function saveFilmOrder(order, moved) {
    const grid = document.querySelector('[data-clip-grid]');
    if (!grid) return false;
    const cards = /** @type {HTMLElement[]} */ ([...grid.children].filter((el) => el.matches('.clip-card[data-clip-id]')));
    const inFilm = new Set(order);
    const places = cards.filter((c) => inFilm.has(c.getAttribute('data-clip-id') || ''));
    const byId = new Map(places.map((c) => [c.getAttribute('data-clip-id'), c]));
    if (places.length !== order.length || order.some((id) => !byId.has(id))) return false;
    const markers = places.map((c) => {
      const m = document.createComment('');
      c.replaceWith(m);
      return m;
    });
    markers.forEach((m, i) => m.replaceWith(/** @type {HTMLElement} */ (byId.get(order[i]))));
    kept.refreshAfterSave = true;
    grid.dispatchEvent(new CustomEvent('clips:reordered', { bubbles: true }));
    const n = order.indexOf(moved.getAttribute('data-clip-id') || '') + 1;
    say(`Clip moved to place ${n} of ${order.length} in the film.`);
    return true;
  }

  /** Says what a move did in the timeline's status line, and again in the refreshed timeline. @param {string} text */
  function say(text) {
    kept.notice = { text, at: Date.now() };
    const notice = root?.querySelector('#timeline-notice');
    if (notice) notice.textContent = text;
  }
  if (kept.notice && Date.now() - kept.notice.at < NOTICE_KEPT_MS) {
    const notice = root.querySelector('#timeline-notice');
    if (notice && !notice.textContent) notice.textContent = kept.notice.text;
  }

  /** @param {HTMLElement} b @param {number} to */
  function moveTo(b, to) {
    const order = blocks.map((x) => x.getAttribute('data-clip-id') || '');
    const id = b.getAttribute('data-clip-id') || '';
    const from = order.indexOf(id);
    if (to === from) return false;
    order.splice(from, 1);
    order.splice(to, 0, id);
    return saveFilmOrder(order, b);
  }

  blocks.forEach((b, index) => {
    const body = /** @type {HTMLElement | null} */ (b.querySelector('[data-tl-select]'));
    if (!body) return;
    body.addEventListener('keydown', (e) => {
      const by = e.key === 'ArrowLeft' ? -1 : e.key === 'ArrowRight' ? 1 : 0;
      if (!by || e.altKey || e.ctrlKey || e.metaKey) return;
      e.preventDefault();
      if (index + by < 0 || index + by >= blocks.length) {
        say(by < 0 ? 'This clip is already first in the film.' : 'This clip is already last in the film.');
        return;
      }
      moveTo(b, index + by);
    });

    /** @type {{ id: number, x: number, scroll0: number, lastX: number, active: boolean, timer: number, raf: number } | null} */
    let drag = null;
    const reset = () => {
      if (!drag) return;
      clearTimeout(drag.timer);
      cancelAnimationFrame(drag.raf);
      drag = null;
      kept.editing = false;
      b.classList.remove('is-moving');
      b.style.transform = '';
    };
    const begin = () => {
      if (!drag) return;
      drag.active = true;
      kept.editing = true;
      b.classList.add('is-moving');
      try { body.setPointerCapture(drag.id); } catch { /* the pointer is already gone */ }
      const tick = () => {
        if (!drag?.active) return;
        // Near an edge of the visible timeline, it scrolls by itself.
        const r = scroll.getBoundingClientRect();
        const edge = Math.min(48, r.width / 5);
        const by = drag.lastX < r.left + edge ? -1 : drag.lastX > r.right - edge ? 1 : 0;
        if (by) {
          scroll.scrollLeft += by * 10;
          b.style.transform = `translateX(${drag.lastX - drag.x + scroll.scrollLeft - drag.scroll0}px)`;
        }
        drag.raf = requestAnimationFrame(tick);
      };
      drag.raf = requestAnimationFrame(tick);
    };
    body.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 || blocks.length < 2) return;
      drag = { id: e.pointerId, x: e.clientX, scroll0: scroll.scrollLeft, lastX: e.clientX, active: false, timer: 0, raf: 0 };
      // From the press on: a refresh now would swap the block away before the move has begun. The
      // block keeps the mouse until it is released (a finger is kept by the browser itself).
      kept.editing = true;
      if (e.pointerType !== 'touch') try { body.setPointerCapture(e.pointerId); } catch { /* the pointer is already gone */ }
      if (e.pointerType === 'touch') drag.timer = window.setTimeout(begin, LONG_PRESS_MS);
    });
    body.addEventListener('pointermove', (e) => {
      if (!drag || e.pointerId !== drag.id) return;
      drag.lastX = e.clientX;
      if (!drag.active) {
        if (Math.abs(e.clientX - drag.x) < REORDER_PX) return;
        // A finger that moves before the long press scrolls the timeline; a mouse starts moving the block.
        if (e.pointerType === 'touch') return reset();
        begin();
      }
      b.style.transform = `translateX(${e.clientX - drag.x + scroll.scrollLeft - drag.scroll0}px)`;
    });
    body.addEventListener('pointerup', (e) => {
      if (!drag || e.pointerId !== drag.id) return;
      // A press that never moved the block (a long press held still) is a tap: its click selects.
      if (!drag.active || (Math.abs(drag.lastX - drag.x) < REORDER_PX && scroll.scrollLeft === drag.scroll0)) return reset();
      // The new place: before the first other block whose middle is past the pointer.
      const t = (drag.lastX - track.getBoundingClientRect().left) / pps();
      const others = blocks.filter((x) => x !== b);
      const to = others.filter((x) => (num(x, 'data-start-s') + num(x, 'data-out-s')) / 2 < t).length;
      reset();
      kept.suppressClick = true;
      setTimeout(() => { kept.suppressClick = false; }, 0);
      if (!moveTo(b, to)) placeBlock(b);
    });
    body.addEventListener('pointercancel', reset);
    // The browser's own drag (of the thumbnail) would cancel the pointer's.
    body.addEventListener('dragstart', (e) => e.preventDefault());
    body.addEventListener('click', (e) => { if (kept.suppressClick) e.stopImmediatePropagation(); }, true);
    // Once the long press has started a move, the finger moves the block, not the page.
    b.addEventListener('touchmove', (e) => { if (drag?.active) e.preventDefault(); }, { passive: false });
    b.addEventListener('contextmenu', (e) => { if (drag) e.preventDefault(); });
  });

  restoreTyped(root);
  kept.typed.clear();
  select(kept.selected);
  layout();
  scroll.scrollLeft = kept.scrollLeft;
  renderPlay();
  if (playing) {
    cancelAnimationFrame(rafId);
    rafId = requestAnimationFrame(frame);
  }
  if (kept.focus) {
    const f = kept.focus;
    const el = /** @type {HTMLElement | null} */ (
      'index' in f ? root.querySelectorAll(FOCUSABLE)[f.index] ?? null : root.querySelector(`.tl-block[data-clip-id="${f.clip}"] [data-edge="${f.edge}"]`)
    );
    if (el && (!document.activeElement || document.activeElement === document.body)) el.focus();
    kept.focus = null;
  }
  let width = scroll.clientWidth;
  new ResizeObserver(() => {
    if (scroll.clientWidth !== width) {
      width = scroll.clientWidth;
      layout();
    }
  }).observe(scroll);
}

/**
 * Trims sent from the timeline's forms and not answered yet (htmx request contexts). A refresh waits
 * for them: swapped in first, it would take the form away, and htmx drops the answer of a request
 * whose target has left the page, with its Undo toast.
 * @type {Set<any>}
 */
const sending = new Set();
function trimInFlight() {
  for (const ctx of sending) {
    if (!ctx.sourceElement?.isConnected || (ctx.status !== 'issuing' && ctx.status !== 'response received')) sending.delete(ctx);
  }
  return sending.size > 0;
}
/** A GET of the timeline itself: its 10-second refresh, the live stream's, or one after a move. @param {any} ctx */
const isRefresh = (ctx) => String(ctx?.request?.method).toUpperCase() === 'GET' && ctx?.target instanceof Element && ctx.target.id === 'timeline';

document.addEventListener('htmx:before:request', (evt) => {
  const ctx = /** @type {CustomEvent} */ (evt).detail?.ctx;
  if (ctx?.sourceElement instanceof HTMLFormElement && ctx.sourceElement.closest('#timeline')) sending.add(ctx);
});

// While an edge is being moved or a trim is on its way, the timeline does not refresh itself (it
// would drop the drag, or the trim's answer).
document.addEventListener('htmx:config:request', (evt) => {
  const ctx = /** @type {CustomEvent} */ (evt).detail?.ctx;
  if (isRefresh(ctx) && (kept.editing || trimInFlight())) evt.preventDefault();
});

// A refreshed timeline (a trim, or a change pushed by the live stream) comes back whole: set it up again.
document.addEventListener('htmx:before:swap', (evt) => {
  // One already on its way when an edge started moving (or a trim was sent) is dropped too.
  const ctx = /** @type {CustomEvent} */ (evt).detail?.ctx;
  const target = ctx?.target;
  if (target && target.id === 'timeline' && (kept.editing || (isRefresh(ctx) && trimInFlight()))) {
    evt.preventDefault();
    return;
  }
  const root = document.getElementById('timeline');
  // What the person has typed and not sent yet outlives the swap (the form that was sent takes the answer's).
  kept.typed.clear();
  const source = ctx?.sourceElement;
  const sent = source instanceof HTMLFormElement ? source : null;
  if (root && target === root) {
    root.querySelectorAll('.tl-trim-form input[id]').forEach((el) => {
      const input = /** @type {HTMLInputElement} */ (el);
      if (input.value !== input.defaultValue && input.form !== sent) kept.typed.set(input.id, input.value);
    });
    // The new timeline goes in showing the chosen clip's panel (with what was typed in it).
    for (const task of /** @type {CustomEvent} */ (evt).detail?.tasks ?? []) {
      const next = task.fragment?.querySelector?.('#timeline');
      if (!next) continue;
      showSelected(next, kept.selected);
      restoreTyped(next);
    }
  }
  // The focus goes with the old fragment: remember where it was, so a keyboard user is not sent
  // back to the top of the page by the 10-second refresh.
  const active = document.activeElement;
  if (!active || !root || !root.contains(active)) return;
  const edge = active.closest('[data-edge]');
  if (edge) kept.focus = { clip: edge.closest('.tl-block')?.getAttribute('data-clip-id') || '', edge: edge.getAttribute('data-edge') || 'out' };
  else kept.focus = { index: [...root.querySelectorAll(FOCUSABLE)].indexOf(active) };
});
// The timeline's swaps say settle:0, so after:swap comes in the same task as the new fragment: its
// blocks are never shown unplaced.
document.addEventListener('htmx:after:swap', setup);
// The order a timeline move saved (clips.js says so with echoes:edited): show the new film at once
// rather than at the live stream's word.
document.addEventListener('echoes:edited', () => {
  const root = document.getElementById('timeline');
  const url = root?.getAttribute('hx-get');
  if (!kept.refreshAfterSave || !root || !url) return;
  kept.refreshAfterSave = false;
  const htmx = /** @type {any} */ (window).htmx;
  if (htmx) htmx.ajax('GET', url, { target: '#timeline', swap: 'outerHTML settle:0' });
});
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', setup);
else setup();

// For tests: the playhead's film time.
Object.assign(window, { __echoesTimeline: { time: () => (audio.getAttribute('src') ? audio.currentTime : null) } });
