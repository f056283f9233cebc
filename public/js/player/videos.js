// @ts-check
/** @typedef {import('./types.js').PlayState} PlayState */
/** @typedef {import('./timeline.js').Timeline} Timeline */
/** @typedef {import('./music.js').Music} Music */
/** @typedef {import('./record.js').Recorder} Recorder */

/**
 * First frames of one video element: `armed` until the first new frame after a start is seen.
 * @typedef {object} FrameInfo
 * @property {number} clip The clip the element holds (-1: none).
 * @property {boolean} armed
 * @property {boolean} played
 * @property {number | null} lastT
 * @property {number | null} calledAt When play() was called (a natural hand-over).
 * @property {number | null} target Where the music should be at its first frame.
 */

/** @typedef {{ k: number, timers: number[], done: boolean, cleanup: () => void }} Retiring */

const MAX_LEAD = 0.25;

/** @param {number} clip @returns {FrameInfo} */
const newFrameInfo = (clip) => ({ clip, armed: false, played: false, lastT: null, calledAt: null, target: null });

/** @param {HTMLVideoElement} v */
function playVideo(v) {
  v.play().catch(() => { /* interrupted by a pause or a newer switch */ });
}

/**
 * Puts `v` at `t` seconds and calls `done` once a frame there can be shown.
 * @param {HTMLVideoElement} v
 * @param {number} t
 * @param {() => void} done
 */
function seekVideo(v, t, done) {
  let fired = false;
  const finish = () => {
    if (!fired) { fired = true; done(); }
  };
  const whenReady = () => {
    if (v.readyState >= 2) finish();
    else v.addEventListener('loadeddata', finish, { once: true });
  };
  const apply = () => {
    if (Math.abs(v.currentTime - t) < 0.02) return whenReady();
    v.addEventListener('seeked', whenReady, { once: true });
    v.currentTime = t;
  };
  if (v.readyState >= 1) apply();
  else v.addEventListener('loadedmetadata', apply, { once: true });
}

/**
 * Sets the stage up for a transition (public/css/player.css draws it): its kind and length, and for
 * a flash the white overlay's pulse, started again from its beginning.
 * @param {HTMLElement | null} stage
 * @param {{ kind: string, s: number }} t
 */
function showTransition(stage, t) {
  if (!stage) return;
  stage.setAttribute('data-transition', t.s > 0 ? t.kind : 'cut');
  stage.style.setProperty('--xfade', Math.max(0, t.s) * 1000 + 'ms');
  let flash = /** @type {HTMLElement | null} */ (stage.querySelector('[data-flash]'));
  if (!flash) {
    flash = document.createElement('div');
    flash.className = 'player-flash';
    flash.setAttribute('data-flash', '');
    flash.setAttribute('aria-hidden', 'true');
    stage.appendChild(flash);
  }
  flash.classList.remove('is-flashing');
  if (t.kind === 'flash' && t.s > 0) {
    void flash.offsetWidth; // restart the animation
    flash.classList.add('is-flashing');
  }
}

/**
 * Two stacked <video> elements take turns: while one plays (`live`, on top), the other already
 * holds the next clip (src set, preload=auto). A natural hand-over starts the next clip on top at
 * once and fades it in (CSS opacity over --xfade); the one below is retired when it has ended and
 * is covered, then loads the clip after. A jump (seek) waits for the other element to land first.
 * @param {object} deps
 * @param {[HTMLVideoElement, HTMLVideoElement]} deps.videos
 * @param {PlayState} deps.state
 * @param {Timeline} deps.timeline
 * @param {Music} deps.music
 * @param {Recorder} deps.recorder
 * @param {(natural: boolean) => void} deps.onSwitched After a clip came to the top.
 */
export function createSwitcher({ videos, state, timeline, music, recorder, onSwitched }) {
  const { record, stats } = recorder;
  /** The clip each video element holds. */
  const loaded = [0, timeline.count > 1 ? 1 : -1];
  const frames = [newFrameInfo(0), newFrameInfo(loaded[1])];
  let live = 0;
  let seq = 0; // bumped on every switch, so a late callback of an older one does nothing
  /** @type {Retiring | null} */
  let retiring = null;
  /** @type {number | null} */
  let lastFrameAt = null;
  // A started video shows its first new frame a little after play(); the next clip starts that much
  // earlier, learned from the last hand-overs: by how late the first frame came on the music's clock
  // when the music leads, else from the delay after play().
  let startLead = 0.06;

  /** @param {FrameInfo} f @param {number} t */
  function learnLead(f, t) {
    const m = f.target != null ? music.clockAt(t) : null;
    const lead = m != null && f.target != null ? startLead + (m - f.target) : f.calledAt != null ? (t - f.calledAt) / 1000 : null;
    if (lead != null) startLead = Math.min(MAX_LEAD, Math.max(0, 0.5 * startLead + 0.5 * lead));
  }

  /** @param {number} k @param {number} i */
  function load(k, i) {
    const v = videos[k];
    loaded[k] = i;
    frames[k] = newFrameInfo(i);
    if (i < 0) return;
    v.preload = 'auto';
    if (v.getAttribute('src') !== timeline.urlOf(i)) v.src = timeline.urlOf(i);
    cue(k);
  }

  /** Element k waits at its clip's in point (its trim), so a natural hand-over starts it there at once. @param {number} k */
  function cue(k) {
    const v = videos[k];
    const i = loaded[k];
    if (i < 0) return;
    const from = timeline.inOf(i);
    const apply = () => {
      if (loaded[k] === i && Math.abs(v.currentTime - from) > 0.01) v.currentTime = from;
    };
    if (v.readyState >= 1) apply();
    else v.addEventListener('loadedmetadata', apply, { once: true });
  }

  /** @param {number} k */
  function watchFrames(k) {
    const v = videos[k];
    if (!v.requestVideoFrameCallback) return;
    /** @type {VideoFrameRequestCallback} */
    const onFrame = (now, meta) => {
      const f = frames[k];
      const t = (meta && meta.expectedDisplayTime) || now;
      if (!v.paused && state.playing) {
        if (f.armed) {
          f.armed = false;
          record(f.clip, 'first-frame', t);
          learnLead(f, t);
        }
        f.played = true;
        f.lastT = t;
        if (lastFrameAt != null && t - lastFrameAt > stats.worstFrameInterval) {
          stats.worstFrameInterval = Math.round(t - lastFrameAt);
          stats.worstFrameAt = f.clip;
          stats.worstFrameT = Math.round(t);
        }
        if (lastFrameAt == null || t > lastFrameAt) lastFrameAt = t;
      }
      v.requestVideoFrameCallback(onFrame);
    };
    v.requestVideoFrameCallback(onFrame);
  }

  /**
   * How much of the clip element k holds is shown: the plan's out point, never more than the file.
   * @param {number} k
   */
  function clipDuration(k) {
    const v = videos[k];
    const planned = timeline.outOf(loaded[k]);
    return isFinite(v.duration) && v.duration > 0 ? Math.min(v.duration - timeline.inOf(loaded[k]), planned) : planned;
  }
  /** The plan ends the clip before its file does (a trim or beat sync). @param {number} k */
  function trimmed(k) {
    const v = videos[k];
    return isFinite(v.duration) && timeline.inOf(loaded[k]) + clipDuration(k) < v.duration - 0.01;
  }
  /** How far into its shown part element k is (its video's time less the clip's in point). @param {number} k */
  const localOf = (k) => Math.max(0, (videos[k].currentTime || 0) - timeline.inOf(loaded[k]));
  const localTime = () => localOf(live);

  /**
   * The element that just left the top: once it has ended (or was stopped) and is covered, it loads the clip after the live one.
   * @param {number} k
   * @param {boolean} waitForEnd
   * @param {number} fadeS How long the transition covering it lasts.
   */
  function retire(k, waitForEnd, fadeS) {
    const v = videos[k];
    let fadeDone = false;
    let outDone = !waitForEnd || v.ended;
    const check = () => {
      if (fadeDone && outDone) finishRetire(current, true);
    };
    const onEnded = () => {
      outDone = true;
      check();
    };
    /** @type {Retiring} */
    const current = { k, timers: [], done: false, cleanup: () => {} };
    current.cleanup = () => {
      v.removeEventListener('ended', onEnded);
      current.timers.forEach(clearTimeout);
    };
    if (!outDone) {
      v.addEventListener('ended', onEnded);
      // A trimmed clip (beat sync) is done at its planned end; otherwise 'ended' comes first, this is a backstop.
      current.timers.push(setTimeout(onEnded, (Math.max(0, clipDuration(k) - localOf(k)) + (trimmed(k) ? 0 : 1)) * 1000));
    }
    current.timers.push(setTimeout(() => {
      fadeDone = true;
      check();
    }, fadeS * 1000 + 80));
    retiring = current;
  }

  /** @param {Retiring} r @param {boolean} preloadNext */
  function finishRetire(r, preloadNext) {
    if (r.done) return;
    r.done = true;
    r.cleanup();
    if (retiring === r) retiring = null;
    const v = videos[r.k];
    const f = frames[r.k];
    if (f.played && f.lastT != null) record(f.clip, 'last-frame', f.lastT);
    f.played = false;
    v.pause();
    v.classList.remove('is-leaving');
    if (preloadNext && state.index + 1 < timeline.count) load(r.k, state.index + 1);
  }

  /** @param {boolean} preloadNext */
  function flushRetire(preloadNext) {
    if (retiring) finishRetire(retiring, preloadNext);
  }

  /**
   * Brings clip i (at `local` seconds) to the top. A natural switch starts it at once; a jump waits for the seek.
   * @param {number} i
   * @param {number} local
   * @param {boolean} natural
   */
  function switchTo(i, local, natural) {
    flushRetire(false);
    const my = ++seq;
    const from = live;
    const to = 1 - live;
    const vIn = videos[to];
    const vOut = videos[from];
    if (loaded[to] !== i) load(to, i);
    const go = () => {
      if (my !== seq) return;
      state.pendingT = null;
      live = to;
      state.index = i;
      frames[to].armed = state.playing && local < 0.05;
      frames[to].calledAt = natural ? performance.now() : null;
      frames[to].target = natural && music.clock() != null ? timeline.startOf(i) : null;
      // A natural hand-over plays the transition into clip i; a jump shows it at once.
      const t = natural ? timeline.transitionInto(i) : { kind: 'cut', s: 0 };
      showTransition(vIn.parentElement, t);
      vIn.classList.add('is-live');
      vOut.classList.remove('is-live');
      vOut.classList.add('is-leaving');
      if (state.playing) playVideo(vIn);
      if (!natural) vOut.pause();
      onSwitched(natural);
      retire(from, natural, t.s);
    };
    if (natural) return go();
    state.pendingT = timeline.startOf(i) + local;
    const at = timeline.inOf(i) + local;
    if (vIn.readyState >= 2 && Math.abs(vIn.currentTime - at) < 0.05) return go();
    seekVideo(vIn, at, go);
  }

  videos.forEach((_, k) => {
    watchFrames(k);
    // The page's elements come with their clips' sources: they too wait at their in points.
    if (timeline.inOf(loaded[k]) > 0) cue(k);
  });

  return {
    videos,
    /** The element on top. */
    live: () => live,
    /** The clip element k holds (-1: none). @param {number} k */
    clipIn: (k) => loaded[k],
    localTime,
    clipDuration,
    trimmed,
    startLead: () => startLead,
    switchTo,
    flushRetire,
    /** Starts the live element (arming its first-frame record when it is at its start). */
    playLive() {
      const v = videos[live];
      if (localOf(live) < 0.05) {
        frames[live].armed = true;
        frames[live].calledAt = performance.now();
      }
      playVideo(v);
    },
    pauseAll() {
      flushRetire(true);
      videos.forEach((v) => v.pause());
      lastFrameAt = null;
    },
    /** Moves within the live clip. @param {number} local */
    seekLive(local) {
      flushRetire(true);
      videos[live].currentTime = timeline.inOf(loaded[live]) + local;
    },
    /** A jump or the end: the next frame interval is not a hand-over gap. */
    forgetLastFrame() {
      lastFrameAt = null;
    },
    /** The film ended: the live clip's last frame is recorded. */
    closeLive() {
      const f = frames[live];
      if (f.played && f.lastT != null) record(f.clip, 'last-frame', f.lastT);
      f.played = false;
      lastFrameAt = null;
    },
  };
}

/** @typedef {ReturnType<typeof createSwitcher>} Switcher */
