// @ts-check
// Echoes film player: plays the approved clips as one film over one music track. The timeline
// (where each clip starts, how much of it is shown, the crossfade, the music's fade-out) comes
// computed in the playlist (src/film/); this script follows it. No inline script: the playlist
// arrives as <script type="application/json" id="playlist">.
//   timeline.js  the playlist's timeline          videos.js    the two <video> elements taking turns
//   music.js     the music, the film's clock      controls.js  buttons, gestures, keys, full screen
//   record.js    timing for tests and benchmarks  main.js      the transport (play, pause, seek) and the frame loop
//   renew.js     fresh media URLs for the public player (short-lived, only while shared)
import { createControls } from './controls.js';
import { createMusic, MUSIC_DRIFT_S } from './music.js';
import { createRecorder } from './record.js';
import { keepUrlsFresh } from './renew.js';
import { clock, createTimeline } from './timeline.js';
import { createSwitcher } from './videos.js';
/** @typedef {import('./types.js').PlaylistData} PlaylistData */
/** @typedef {import('./types.js').PlayState} PlayState */

/** @param {HTMLElement} root @param {PlaylistData} data */
function startPlayer(root, data) {
  const timeline = createTimeline(data);
  // The crossfade in the CSS (.player-video transition) is the playlist's.
  root.style.setProperty('--xfade', timeline.crossfadeS * 1000 + 'ms');

  /** @template {Element} E @param {string} sel @returns {E | null} */
  const $ = (sel) => root.querySelector(sel);
  const v0 = /** @type {HTMLVideoElement | null} */ ($('[data-video="0"]'));
  const v1 = /** @type {HTMLVideoElement | null} */ ($('[data-video="1"]'));
  if (!v0 || !v1) return;
  /** @type {[HTMLVideoElement, HTMLVideoElement]} */
  const videos = [v0, v1];
  const ui = {
    progress: /** @type {HTMLElement | null} */ ($('[data-progress]')),
    fill: /** @type {HTMLElement | null} */ ($('[data-fill]')),
    knob: /** @type {HTMLElement | null} */ ($('[data-knob]')),
    tip: /** @type {HTMLElement | null} */ ($('[data-tip]')),
    time: $('[data-time]'),
    total: $('[data-total]'),
    clipno: $('[data-clipno]'),
    draft: /** @type {HTMLElement | null} */ ($('[data-player-draft]')),
    toggle: $('.player-btn-main'),
    end: /** @type {HTMLElement | null} */ ($('[data-end]')),
    ticks: /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll('[data-tick]')),
  };
  const reelItems = document.querySelectorAll('[data-reel] [data-index]');

  /** @type {PlayState} */
  const state = { index: 0, playing: false, ended: false, pendingT: null, scrubbing: false };
  const music = createMusic(/** @type {HTMLAudioElement | null} */ ($('[data-music]')), timeline);
  keepUrlsFresh(data, { music: music.el, videos });
  const recorder = createRecorder(music.clockAt);
  const { record } = recorder;
  const switcher = createSwitcher({
    videos, state, timeline, music, recorder,
    onSwitched(natural) {
      music.sync(time(), !natural);
      render();
    },
  });
  /** @type {number | undefined} */
  let stallTimer;

  /** The film's time now: where a pending seek goes, else the live clip's place plus its own clock. */
  function time() {
    return state.pendingT != null ? state.pendingT : Math.min(timeline.total, timeline.startOf(state.index) + switcher.localTime());
  }

  /**
   * Time to start the next clip's fade-in: when the music reaches its start (the plan's startS),
   * less the time a started video takes to show its first frame. Following the music's clock, not
   * the video's, keeps every cut on its beat for the whole song. Without music, or when the music is
   * far out of step (stuck loading), the video's clock; the switch then re-syncs the music.
   */
  function nextDue() {
    if (state.index + 1 >= timeline.count || state.pendingT != null) return false;
    const at = timeline.startOf(state.index + 1) - switcher.startLead();
    const v = timeline.startOf(state.index) + switcher.localTime();
    const m = music.clock();
    return (m != null && Math.abs(m - v) < MUSIC_DRIFT_S ? m : v) >= at;
  }

  // ---- transport ----------------------------------------------------------------------------------
  function advance() {
    if (state.index + 1 < timeline.count) switcher.switchTo(state.index + 1, 0, true);
  }

  function endFilm() {
    if (state.ended) return;
    switcher.closeLive();
    record(state.index, 'ended');
    state.playing = false;
    state.ended = true;
    music.pause();
    render();
    controls.showControls();
  }

  /** The public page loads nothing before play (preload="none"): the first press starts the clips and the music loading. */
  function wake() {
    videos.forEach((v) => { if (v.preload === 'none') v.preload = 'auto'; });
    if (music.el && music.el.preload === 'none') music.el.preload = 'auto';
  }

  function play() {
    wake();
    if (state.ended) seek(0);
    state.playing = true;
    // While a jump is loading, the switch starts the new clip itself when it lands.
    if (state.pendingT == null) switcher.playLive();
    music.start(time());
    record(state.index, 'play');
    render();
    controls.showControls();
  }

  function pause() {
    state.playing = false;
    switcher.pauseAll();
    music.pause();
    record(state.index, 'pause');
    render();
    controls.showControls();
  }

  function toggle() {
    if (state.playing) pause();
    else play();
  }

  /** @param {number} t */
  function seek(t) {
    wake();
    t = Math.max(0, Math.min(t, timeline.total - 0.05));
    const i = timeline.clipAt(t);
    const local = Math.max(0, t - timeline.startOf(i));
    state.ended = false;
    switcher.forgetLastFrame();
    if (i === state.index && state.pendingT == null) switcher.seekLive(local);
    else switcher.switchTo(i, local, false);
    if (state.playing) music.start(time());
    else music.seek(t);
    record(i, 'seek');
    render();
  }

  function next() {
    if (state.index + 1 < timeline.count) seek(timeline.startOf(state.index + 1));
  }
  function prev() {
    const into = time() - timeline.startOf(state.index);
    seek(into > 1.5 || state.index === 0 ? timeline.startOf(state.index) : timeline.startOf(state.index - 1));
  }

  // ---- rendering ----------------------------------------------------------------------------------
  function render() {
    root.setAttribute('data-state', state.ended ? 'ended' : state.playing ? 'playing' : 'paused');
    if (ui.toggle) ui.toggle.setAttribute('aria-label', state.playing ? 'Pause' : 'Play');
    if (ui.end) ui.end.hidden = !state.ended;
    if (ui.clipno) ui.clipno.textContent = state.index + 1 + ' / ' + timeline.count;
    // The same mark as the export's: this clip is a free draft, not yet animated.
    if (ui.draft) ui.draft.hidden = !data.clips[state.index]?.draft;
    reelItems.forEach((item) => item.classList.toggle('is-current', Number(item.getAttribute('data-index')) === state.index));
    renderTime();
  }

  /** @param {number} [t] */
  function renderTime(t) {
    if (t == null) t = state.ended ? timeline.total : time();
    const frac = Math.max(0, Math.min(1, t / timeline.total));
    if (ui.fill) ui.fill.style.transform = 'scaleX(' + frac + ')';
    if (ui.knob) ui.knob.style.left = frac * 100 + '%';
    if (ui.time) ui.time.textContent = clock(t);
    if (ui.progress) {
      ui.progress.setAttribute('aria-valuenow', String(Math.round(t)));
      ui.progress.setAttribute('aria-valuetext', clock(t) + ' of ' + clock(timeline.total));
    }
    const current = /** @type {HTMLElement | null} */ (document.querySelector('[data-reel] .is-current [data-reel-fill]'));
    if (current) {
      const local = (t - timeline.startOf(state.index)) / timeline.outOf(state.index);
      current.style.transform = 'scaleX(' + Math.max(0, Math.min(1, local)) + ')';
    }
  }

  /** The clip marks on the progress bar, where the timeline puts each clip. */
  function placeTicks() {
    ui.ticks.forEach((tick) => {
      tick.style.left = (timeline.startOf(Number(tick.getAttribute('data-tick'))) / timeline.total) * 100 + '%';
    });
    if (ui.total) ui.total.textContent = clock(timeline.total);
    if (ui.progress) ui.progress.setAttribute('aria-valuemax', String(Math.round(timeline.total)));
  }

  function tick() {
    requestAnimationFrame(tick);
    if (state.playing && !state.ended) {
      const live = switcher.live();
      if (nextDue()) advance();
      else if (state.index + 1 === timeline.count && state.pendingT == null && switcher.trimmed(live) && switcher.localTime() >= switcher.clipDuration(live)) endFilm();
      music.fade(time());
    }
    // Paused, nothing moves (a seek or a landing switch renders itself): no DOM writes, so an idle
    // page does no style, layout or paint work every frame (a phone's battery, Lighthouse's TBT).
    if (!state.scrubbing && (state.playing || state.pendingT != null)) renderTime();
  }

  // ---- events from the media elements -------------------------------------------------------------
  videos.forEach((v, k) => {
    // Backstops for when animation frames are throttled (a background tab).
    v.addEventListener('timeupdate', () => {
      if (k === switcher.live() && state.playing && nextDue()) advance();
    });
    v.addEventListener('ended', () => {
      if (k !== switcher.live() || !state.playing || state.pendingT != null) return;
      if (state.index + 1 < timeline.count) advance();
      else endFilm();
    });
    v.addEventListener('waiting', () => {
      if (k !== switcher.live() || !state.playing) return;
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => {
        root.classList.add('is-buffering');
        music.pause();
      }, 250);
    });
    v.addEventListener('playing', () => {
      if (k !== switcher.live()) return;
      clearTimeout(stallTimer);
      if (root.classList.contains('is-buffering')) {
        root.classList.remove('is-buffering');
        if (state.playing) music.start(time());
      }
    });
    v.addEventListener('error', () => {
      const i = switcher.clipIn(k);
      record(i, 'error');
      const item = reelItems[i];
      if (item) item.classList.add('is-broken');
      if (k === switcher.live() && state.playing) {
        setTimeout(() => {
          if (state.index + 1 < timeline.count) next();
          else endFilm();
        }, 400);
      }
    });
  });
  if (music.el) music.el.addEventListener('loadedmetadata', music.fitLoop);

  const controls = createControls({ root, ui, state, data, timeline, music, transport: { play, pause, toggle, next, prev, seek, time, renderTime } });

  // Timing, for tests and the gap benchmark: {clipIndex, event, t: performance.now() timebase}.
  Object.assign(window, {
    __echoesPlayer: {
      events: recorder.events,
      stats: recorder.stats,
      play, pause, seek, next, prev,
      state: () => ({
        index: state.index, playing: state.playing, ended: state.ended, time: time(), total: timeline.total,
        musicTime: music.el ? music.el.currentTime : null, musicPaused: music.el ? music.el.paused : null,
        musicVolume: music.el ? music.el.volume : null,
      }),
    },
  });

  placeTicks();
  music.fitLoop();
  render();
  controls.showControls();
  root.classList.add('is-ready');
  requestAnimationFrame(tick);
}

const root = /** @type {HTMLElement | null} */ (document.querySelector('[data-player]'));
const dataEl = document.getElementById('playlist');
if (root && dataEl) {
  /** @type {PlaylistData} */
  const data = JSON.parse(dataEl.textContent || '{}');
  if (data.clips && data.clips.length) startPlayer(root, data);
}
