// @ts-check
import { clock } from './timeline.js';
/** @typedef {import('./types.js').PlayState} PlayState */
/** @typedef {import('./types.js').PlaylistData} PlaylistData */
/** @typedef {import('./timeline.js').Timeline} Timeline */
/** @typedef {import('./music.js').Music} Music */

/**
 * What the controls ask of the film.
 * @typedef {object} Transport
 * @property {() => void} play
 * @property {() => void} pause
 * @property {() => void} toggle
 * @property {() => void} next
 * @property {() => void} prev
 * @property {(t: number) => void} seek
 * @property {() => number} time The film's time now.
 * @property {(t?: number) => void} renderTime Shows a time on the progress bar and clock.
 */

/**
 * The person's side: buttons, taps and swipes on the picture, the progress bar, keys, the clip
 * list, full screen, mute and the system media controls.
 * @param {object} deps
 * @param {HTMLElement} deps.root
 * @param {{ progress: HTMLElement | null, tip: HTMLElement | null }} deps.ui
 * @param {PlayState} deps.state
 * @param {PlaylistData} deps.data
 * @param {Timeline} deps.timeline
 * @param {Music} deps.music
 * @param {Transport} deps.transport
 */
export function createControls({ root, ui, state, data, timeline, music, transport }) {
  const { play, pause, toggle, next, prev, seek } = transport;
  /** @type {number | undefined} */
  let hideTimer;

  // Someone moving through the controls with the keyboard must see them: they stay up meanwhile.
  const keyboardInside = () => Boolean(root.querySelector(':focus-visible'));
  function showControls() {
    root.classList.remove('controls-hidden');
    clearTimeout(hideTimer);
    if (state.playing) {
      hideTimer = setTimeout(() => {
        if (state.playing && !state.scrubbing && !keyboardInside()) root.classList.add('controls-hidden');
        else if (state.playing) showControls();
      }, 2600);
    }
  }
  root.addEventListener('focusin', () => showControls());

  // ---- full screen: the real thing, or the whole window where the browser refuses (iPhone) ----
  /** @type {Document & { webkitFullscreenElement?: Element, webkitExitFullscreen?: () => void, webkitFullscreenEnabled?: boolean }} */
  const doc = document;
  /** @type {HTMLElement & { webkitRequestFullscreen?: () => Promise<void> | void }} */
  const box = root;
  const isFullscreen = () => Boolean(doc.fullscreenElement || doc.webkitFullscreenElement) || root.classList.contains('is-pseudo-full');
  const onFullscreenChange = () => {
    root.classList.toggle('is-full', isFullscreen());
    const btn = root.querySelector('[data-action="fullscreen"]');
    if (btn) btn.setAttribute('aria-label', isFullscreen() ? 'Leave full screen' : 'Full screen');
  };
  /** @param {boolean} on */
  function setPseudo(on) {
    root.classList.toggle('is-pseudo-full', on);
    document.documentElement.classList.toggle('player-locked', on);
    onFullscreenChange();
  }
  function lockLandscape() {
    const o = screen.orientation;
    if (data.ratio && data.ratio.width > data.ratio.height && o && o.lock) o.lock('landscape').catch(() => {});
  }
  function toggleFullscreen() {
    if (doc.fullscreenElement || doc.webkitFullscreenElement) {
      const exit = doc.exitFullscreen || doc.webkitExitFullscreen;
      if (exit) exit.call(doc);
      return;
    }
    if (root.classList.contains('is-pseudo-full')) return setPseudo(false);
    const request = box.requestFullscreen || box.webkitRequestFullscreen;
    if (request && (doc.fullscreenEnabled || doc.webkitFullscreenEnabled)) {
      Promise.resolve(request.call(box)).then(lockLandscape, () => setPseudo(true));
    } else {
      setPseudo(true); // iPhone: only a lone <video> may go full screen, so fill the window instead
    }
  }
  document.addEventListener('fullscreenchange', onFullscreenChange);
  document.addEventListener('webkitfullscreenchange', onFullscreenChange);

  // ---- mute: remembered across films ----
  const audio = music.el;
  if (audio) {
    try {
      audio.muted = localStorage.getItem('echoes.muted') === '1';
    } catch { /* storage off */ }
    showMuted(audio.muted);
  }
  /** @param {boolean} muted */
  function showMuted(muted) {
    root.classList.toggle('is-muted', muted);
    const btn = root.querySelector('[data-action="mute"]');
    if (btn) btn.setAttribute('aria-pressed', String(muted));
  }
  function toggleMute() {
    if (!audio) return;
    audio.muted = !audio.muted;
    showMuted(audio.muted);
    try {
      localStorage.setItem('echoes.muted', audio.muted ? '1' : '0');
    } catch { /* storage off */ }
  }

  /** @type {Record<string, () => void>} */
  const actions = {
    toggle, prev, next, mute: toggleMute, fullscreen: toggleFullscreen,
    replay: () => { seek(0); play(); },
  };
  /** @param {EventTarget | null} target @param {string} selector */
  const closest = (target, selector) => (target instanceof Element ? target.closest(selector) : null);

  /** @type {HTMLElement | null} */
  const mainToggle = root.querySelector('.player-btn-main');
  root.addEventListener('click', (evt) => {
    const btn = closest(evt.target, '[data-action]');
    const action = btn && actions[btn.getAttribute('data-action') || ''];
    if (action) {
      action();
      showControls();
      // The big play and "watch again" buttons hide once used: keep the focus on the play/pause button.
      if (btn && btn !== mainToggle && document.activeElement === btn && btn.closest('.player-bigplay, [data-end]') && mainToggle) mainToggle.focus();
    }
  });

  // Taps and swipes on the picture: a tap shows the controls (touch) or toggles play (mouse);
  // a horizontal swipe goes to the next or previous clip.
  /** @type {{ x: number, y: number, t: number, type: string } | null} */
  let down = null;
  root.addEventListener('pointerdown', (evt) => {
    if (closest(evt.target, '[data-controls], [data-action], a')) return;
    down = { x: evt.clientX, y: evt.clientY, t: Date.now(), type: evt.pointerType };
  });
  root.addEventListener('pointerup', (evt) => {
    if (!down) return;
    const dx = evt.clientX - down.x;
    const dy = evt.clientY - down.y;
    const start = down;
    down = null;
    if (Math.abs(dx) > 50 && Math.abs(dx) > Math.abs(dy) * 1.5 && Date.now() - start.t < 800) {
      if (dx < 0) next();
      else prev();
      showControls();
      return;
    }
    if (Math.abs(dx) > 12 || Math.abs(dy) > 12) return;
    if (start.type !== 'mouse' && root.classList.contains('controls-hidden')) showControls();
    else {
      toggle();
      showControls();
    }
  });
  root.addEventListener('pointercancel', () => { down = null; });
  root.addEventListener('dblclick', (evt) => {
    if (!closest(evt.target, '[data-controls], [data-action]')) toggleFullscreen();
  });
  root.addEventListener('pointermove', (evt) => {
    if (evt.pointerType === 'mouse') showControls();
  });

  // The progress bar: click or drag to seek over the whole film.
  const bar = ui.progress;
  const tip = ui.tip;
  if (bar) {
    /** @param {PointerEvent} evt */
    const fracAt = (evt) => {
      const rect = bar.getBoundingClientRect();
      return Math.max(0, Math.min(1, (evt.clientX - rect.left) / rect.width));
    };
    /** @param {number} frac */
    const showTip = (frac) => {
      if (!tip) return;
      tip.hidden = false;
      tip.textContent = clock(frac * timeline.total);
      tip.style.left = frac * 100 + '%';
    };
    bar.addEventListener('pointerdown', (evt) => {
      state.scrubbing = true;
      bar.setPointerCapture(evt.pointerId);
      const frac = fracAt(evt);
      transport.renderTime(frac * timeline.total);
      showTip(frac);
      root.classList.add('is-scrubbing');
    });
    bar.addEventListener('pointermove', (evt) => {
      const frac = fracAt(evt);
      if (state.scrubbing) transport.renderTime(frac * timeline.total);
      showTip(frac);
    });
    bar.addEventListener('pointerup', (evt) => {
      if (!state.scrubbing) return;
      state.scrubbing = false;
      root.classList.remove('is-scrubbing');
      if (tip) tip.hidden = true;
      seek(fracAt(evt) * timeline.total);
      showControls();
    });
    bar.addEventListener('pointercancel', () => {
      state.scrubbing = false;
      root.classList.remove('is-scrubbing');
    });
    bar.addEventListener('pointerleave', () => {
      if (!state.scrubbing && tip) tip.hidden = true;
    });
  }

  document.addEventListener('keydown', (evt) => {
    const target = evt.target;
    if (evt.ctrlKey || evt.metaKey || evt.altKey) return;
    if (closest(target, 'input, textarea, select, [contenteditable]')) return;
    const onSlider = target === bar;
    const onButton = closest(target, 'button, a');
    const key = evt.key;
    if ((key === ' ' || key === 'Enter') && onButton) return; // the focused control acts itself
    if (key === ' ' || key === 'k' || key === 'K') toggle();
    else if (key === 'ArrowRight') onSlider ? seek(transport.time() + 5) : next();
    else if (key === 'ArrowLeft') onSlider ? seek(transport.time() - 5) : prev();
    else if ((key === 'ArrowUp' || key === 'PageUp') && onSlider) seek(transport.time() + (key === 'PageUp' ? 30 : 5));
    else if ((key === 'ArrowDown' || key === 'PageDown') && onSlider) seek(transport.time() - (key === 'PageDown' ? 30 : 5));
    else if (key === 'Home' && onSlider) seek(0);
    else if (key === 'End' && onSlider) seek(timeline.total);
    else if (key === 'f' || key === 'F') toggleFullscreen();
    else if (key === 'm' || key === 'M') toggleMute();
    else if (key === 'Escape' && root.classList.contains('is-pseudo-full')) setPseudo(false);
    else return;
    evt.preventDefault();
    showControls();
  });

  // The clip list: a click jumps the film to that clip.
  document.addEventListener('click', (evt) => {
    const link = closest(evt.target, '[data-seek]');
    if (!link) return;
    evt.preventDefault();
    const i = Number(link.getAttribute('data-seek'));
    seek(i >= 0 && i < timeline.count ? timeline.startOf(i) : 0);
    if (!state.playing) play();
    const rect = root.getBoundingClientRect();
    if (rect.top < 0 || rect.bottom > window.innerHeight) root.scrollIntoView({ block: 'center', behavior: 'smooth' });
  });

  if ('mediaSession' in navigator && window.MediaMetadata) {
    const thumb = data.clips[0].thumbUrl;
    const artwork = thumb ? [{ src: new URL(thumb, location.href).href }] : [];
    navigator.mediaSession.metadata = new MediaMetadata({ title: data.title || 'Echoes', artist: 'Echoes', artwork });
    /** @type {Array<[MediaSessionAction, () => void]>} */
    const handlers = [['play', play], ['pause', pause], ['previoustrack', prev], ['nexttrack', next]];
    for (const [name, handler] of handlers) {
      try {
        navigator.mediaSession.setActionHandler(name, handler);
      } catch { /* unsupported action */ }
    }
  }

  return { showControls };
}
