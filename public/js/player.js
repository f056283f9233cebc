// Echoes film player: plays the approved clips as one film over one music track.
// Two stacked <video> elements take turns: while one plays, the other already holds the next clip
// (src set, preload=auto); shortly before the current clip ends the next one starts on top and
// fades in (CSS opacity, --xfade), so there is never a black frame or a stall between clips.
// The music is one <audio> that runs across clips and fades out with the last one.
// No inline script: the playlist arrives as <script type="application/json" id="playlist">.
(function () {
  'use strict';
  var root = document.querySelector('[data-player]');
  var dataEl = document.getElementById('playlist');
  if (!root || !dataEl) return;
  var data = JSON.parse(dataEl.textContent || '{}');
  var clips = data.clips || [];
  if (!clips.length) return;

  // The timeline (starts, out points, crossfade, music fade) is the server's (src/film/): read, never re-derived.
  var XFADE = data.crossfadeS;
  root.style.setProperty('--xfade', XFADE * 1000 + 'ms');
  // A started video shows its first new frame a little after play(); the next clip starts that much
  // earlier, learned from the last hand-overs: by how late the first frame came on the music's clock
  // when the music leads, else from the delay after play().
  var startLead = 0.06;
  var MAX_LEAD = 0.25;
  // Music is only re-seeked on a natural hand-over when something went badly out of step.
  var MUSIC_DRIFT_S = 1;
  var videos = [root.querySelector('[data-video="0"]'), root.querySelector('[data-video="1"]')];
  var music = root.querySelector('[data-music]');
  var $ = function (sel) { return root.querySelector(sel); };
  var ui = {
    progress: $('[data-progress]'), fill: $('[data-fill]'), knob: $('[data-knob]'), tip: $('[data-tip]'),
    time: $('[data-time]'), total: $('[data-total]'), clipno: $('[data-clipno]'), end: $('[data-end]'),
    ticks: root.querySelectorAll('[data-tick]'),
  };
  var reelItems = document.querySelectorAll('[data-reel] [data-index]');

  var durations = clips.map(function (c) { return c.outS; });
  var offsets = clips.map(function (c) { return c.startS; });
  var loaded = [0, clips.length > 1 ? 1 : -1]; // the clip each video element holds
  var frames = [newFrameInfo(0), newFrameInfo(loaded[1])];
  var live = 0; // the video element on top
  var index = 0; // the clip playing
  var playing = false;
  var ended = false;
  var seq = 0; // bumped on every switch, so a late callback of an older one does nothing
  var retiring = null;
  var pendingT = null; // where a seek is going, shown until it lands
  var scrubbing = false;
  var stallTimer = null;
  var hideTimer = null;
  var lastFrameAt = null;

  // Timing, for tests and the gap benchmark: {clipIndex, event, t: performance.now() timebase}.
  var api = (window.__echoesPlayer = {
    events: [],
    stats: { worstFrameInterval: 0, worstFrameAt: null, worstFrameT: null },
    play: play, pause: pause, seek: seek, next: next, prev: prev,
    state: function () {
      return {
        index: index, playing: playing, ended: ended, time: globalTime(), total: total(),
        musicTime: music ? music.currentTime : null, musicPaused: music ? music.paused : null,
        musicVolume: music ? music.volume : null,
      };
    },
  });
  function record(clipIndex, event, t) {
    var e = { clipIndex: clipIndex, event: event, t: Math.round((t == null ? performance.now() : t) * 10) / 10 };
    // Where the music is when this frame is presented (its clock is the film's): for the beat-sync test.
    if (event === 'first-frame') e.music = musicClockAt(t == null ? performance.now() : t);
    api.events.push(e);
  }
  function musicClockAt(t) {
    if (!music || music.paused || music.readyState < 2) return null;
    return Math.round((music.currentTime + (t - performance.now()) / 1000) * 1000) / 1000;
  }
  function newFrameInfo(clip) { return { clip: clip, armed: false, played: false, lastT: null, calledAt: null, target: null }; }
  function learnLead(f, t) {
    var m = f.target != null ? musicClockAt(t) : null;
    var lead = m != null ? startLead + (m - f.target) : f.calledAt != null ? (t - f.calledAt) / 1000 : null;
    if (lead != null) startLead = Math.min(MAX_LEAD, Math.max(0, 0.5 * startLead + 0.5 * lead));
  }

  // ---- timeline -------------------------------------------------------------------------------
  function layout() {
    var t = total();
    for (var k = 0; k < ui.ticks.length; k++) {
      var n = Number(ui.ticks[k].getAttribute('data-tick'));
      ui.ticks[k].style.left = (offsets[n] / t) * 100 + '%';
    }
    if (ui.total) ui.total.textContent = clock(t);
    if (ui.progress) ui.progress.setAttribute('aria-valuemax', String(Math.round(t)));
    if (music && isFinite(music.duration) && music.duration > 0) music.loop = music.duration < t - 0.5;
  }
  function total() { return data.totalS; }
  function clipAt(t) {
    for (var i = clips.length - 1; i > 0; i--) if (t >= offsets[i]) return i;
    return 0;
  }
  function localTime() { return videos[live].currentTime || 0; }
  function globalTime() { return pendingT != null ? pendingT : Math.min(total(), offsets[index] + localTime()); }
  /** How much of the clip element k holds is shown: the plan's length (beat sync trims), never more than the file. */
  function clipDuration(k) {
    var v = videos[k];
    var planned = durations[loaded[k]];
    return isFinite(v.duration) && v.duration > 0 ? Math.min(v.duration, planned) : planned;
  }
  function trimmed(k) {
    var v = videos[k];
    return isFinite(v.duration) && clipDuration(k) < v.duration - 0.01;
  }
  /** The film's time on the music's clock, while the music runs and says it unambiguously; else null. */
  function musicClock() {
    if (!music || music.paused || music.loop || music.seeking || music.readyState < 2) return null;
    return music.currentTime;
  }
  /**
   * Time to start the next clip's fade-in: when the music reaches its start (the plan's startS),
   * less the time a started video takes to show its first frame. Following the music's clock, not
   * the video's, keeps every cut on its beat for the whole song. Without music, or when the music is
   * far out of step (stuck loading), the video's clock; the switch then re-syncs the music.
   */
  function nextDue() {
    if (index + 1 >= clips.length || pendingT != null) return false;
    var at = offsets[index + 1] - startLead;
    var v = offsets[index] + localTime();
    var m = musicClock();
    return (m != null && Math.abs(m - v) < MUSIC_DRIFT_S ? m : v) >= at;
  }
  function clock(s) {
    s = Math.max(0, Math.floor(s + 0.001));
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }

  // ---- the two video elements -------------------------------------------------------------------
  function load(k, i) {
    var v = videos[k];
    loaded[k] = i;
    frames[k] = newFrameInfo(i);
    if (i < 0) return;
    v.preload = 'auto';
    if (v.getAttribute('src') !== clips[i].url) v.src = clips[i].url;
    else if (v.currentTime > 0.01) v.currentTime = 0;
  }

  function playVideo(v) {
    var p = v.play();
    if (p && p.catch) p.catch(function () { /* interrupted by a pause or a newer switch */ });
  }

  function watchFrames(k) {
    var v = videos[k];
    if (!v.requestVideoFrameCallback) return;
    var onFrame = function (now, meta) {
      var f = frames[k];
      var t = (meta && meta.expectedDisplayTime) || now;
      if (!v.paused && playing) {
        if (f.armed) {
          f.armed = false;
          record(f.clip, 'first-frame', t);
          learnLead(f, t);
        }
        f.played = true;
        f.lastT = t;
        if (lastFrameAt != null && t - lastFrameAt > api.stats.worstFrameInterval) {
          api.stats.worstFrameInterval = Math.round(t - lastFrameAt);
          api.stats.worstFrameAt = f.clip;
          api.stats.worstFrameT = Math.round(t);
        }
        if (lastFrameAt == null || t > lastFrameAt) lastFrameAt = t;
      }
      v.requestVideoFrameCallback(onFrame);
    };
    v.requestVideoFrameCallback(onFrame);
  }

  /** Brings clip i (at `local` seconds) to the top. A natural switch starts it at once; a jump waits for the seek. */
  function switchTo(i, local, natural) {
    flushRetire(false);
    var my = ++seq;
    var from = live;
    var to = 1 - live;
    var vIn = videos[to];
    var vOut = videos[from];
    if (loaded[to] !== i) load(to, i);
    var go = function () {
      if (my !== seq) return;
      pendingT = null;
      live = to;
      index = i;
      frames[to].armed = playing && local < 0.05;
      frames[to].calledAt = natural ? performance.now() : null;
      frames[to].target = natural && musicClock() != null ? offsets[i] : null;
      vIn.classList.add('is-live');
      vOut.classList.remove('is-live');
      vOut.classList.add('is-leaving');
      if (playing) playVideo(vIn);
      if (!natural) { vOut.pause(); syncMusic(true); } else syncMusic(false);
      retire(from, natural);
      render();
    };
    if (natural) return go();
    pendingT = offsets[i] + local;
    if (vIn.readyState >= 2 && Math.abs(vIn.currentTime - local) < 0.05) return go();
    seekVideo(vIn, local, go);
  }

  function seekVideo(v, t, done) {
    var fired = false;
    var finish = function () { if (!fired) { fired = true; done(); } };
    var whenReady = function () {
      if (v.readyState >= 2) finish();
      else v.addEventListener('loadeddata', finish, { once: true });
    };
    var apply = function () {
      if (Math.abs(v.currentTime - t) < 0.02) return whenReady();
      v.addEventListener('seeked', whenReady, { once: true });
      v.currentTime = t;
    };
    if (v.readyState >= 1) apply();
    else v.addEventListener('loadedmetadata', apply, { once: true });
  }

  /** The element that just left the top: once it has ended (or was stopped) and is covered, it loads the clip after the live one. */
  function retire(k, waitForEnd) {
    var v = videos[k];
    var state = { k: k, timers: [], done: false };
    var fadeDone = false;
    var outDone = !waitForEnd || v.ended;
    var check = function () { if (fadeDone && outDone) finishRetire(state, true); };
    var onEnded = function () { outDone = true; check(); };
    state.cleanup = function () { v.removeEventListener('ended', onEnded); state.timers.forEach(clearTimeout); };
    if (!outDone) {
      v.addEventListener('ended', onEnded);
      // A trimmed clip (beat sync) is done at its planned end; otherwise 'ended' comes first, this is a backstop.
      state.timers.push(setTimeout(onEnded, (Math.max(0, clipDuration(k) - v.currentTime) + (trimmed(k) ? 0 : 1)) * 1000));
    }
    state.timers.push(setTimeout(function () { fadeDone = true; check(); }, XFADE * 1000 + 80));
    retiring = state;
  }

  function finishRetire(state, preloadNext) {
    if (state.done) return;
    state.done = true;
    state.cleanup();
    if (retiring === state) retiring = null;
    var v = videos[state.k];
    var f = frames[state.k];
    if (f.played && f.lastT != null) record(f.clip, 'last-frame', f.lastT);
    f.played = false;
    v.pause();
    v.classList.remove('is-leaving');
    if (preloadNext && index + 1 < clips.length) load(state.k, index + 1);
  }

  function flushRetire(preloadNext) {
    if (retiring) finishRetire(retiring, preloadNext);
  }

  function advance() {
    if (index + 1 < clips.length) switchTo(index + 1, 0, true);
  }

  function endFilm() {
    if (ended) return;
    var f = frames[live];
    if (f.played && f.lastT != null) record(f.clip, 'last-frame', f.lastT);
    f.played = false;
    record(index, 'ended');
    playing = false;
    ended = true;
    lastFrameAt = null;
    if (music) music.pause();
    render();
    showControls();
  }

  // ---- music --------------------------------------------------------------------------------------
  function musicTimeAt(t) {
    if (!music) return 0;
    var d = music.duration;
    if (isFinite(d) && d > 0 && music.loop) return t % d;
    return isFinite(d) && d > 0 ? Math.min(t, d) : t;
  }
  function syncMusic(force) {
    if (!music || music.readyState < 1) return;
    var want = musicTimeAt(globalTime());
    if (force || Math.abs(music.currentTime - want) > MUSIC_DRIFT_S) music.currentTime = want;
  }
  function startMusic() {
    if (!music) return;
    music.volume = volumeAt(globalTime());
    syncMusic(true);
    var d = music.duration;
    if (!music.loop && isFinite(d) && globalTime() >= d) return; // the track is over
    var p = music.play();
    if (p && p.catch) p.catch(function () { /* blocked until the person interacts */ });
  }
  function volumeAt(t) {
    var fade = data.musicFadeOutS;
    var left = total() - t;
    return left < fade ? Math.max(0, left / fade) : 1;
  }

  // ---- transport ----------------------------------------------------------------------------------
  function play() {
    if (ended) seek(0);
    playing = true;
    // While a jump is loading, the switch starts the new clip itself when it lands.
    if (pendingT == null) {
      var v = videos[live];
      if (v.currentTime < 0.05) { frames[live].armed = true; frames[live].calledAt = performance.now(); }
      playVideo(v);
    }
    startMusic();
    record(index, 'play');
    render();
    showControls();
  }

  function pause() {
    playing = false;
    flushRetire(true);
    videos.forEach(function (v) { v.pause(); });
    if (music) music.pause();
    lastFrameAt = null;
    record(index, 'pause');
    render();
    showControls();
  }

  function toggle() { if (playing) pause(); else play(); }

  function seek(t) {
    t = Math.max(0, Math.min(t, total() - 0.05));
    var i = clipAt(t);
    var local = Math.max(0, t - offsets[i]);
    ended = false;
    lastFrameAt = null;
    if (i === index && pendingT == null) {
      flushRetire(true);
      videos[live].currentTime = local;
    } else {
      switchTo(i, local, false);
    }
    if (music) {
      music.volume = volumeAt(t);
      if (playing) startMusic();
      else if (music.readyState >= 1) music.currentTime = musicTimeAt(t);
    }
    record(i, 'seek');
    render();
  }

  function next() { if (index + 1 < clips.length) seek(offsets[index + 1]); }
  function prev() {
    var t = globalTime() - offsets[index];
    seek(t > 1.5 || index === 0 ? offsets[index] : offsets[index - 1]);
  }

  // ---- rendering ----------------------------------------------------------------------------------
  function render() {
    root.setAttribute('data-state', ended ? 'ended' : playing ? 'playing' : 'paused');
    if (ui.end) ui.end.hidden = !ended;
    if (ui.clipno) ui.clipno.textContent = index + 1 + ' / ' + clips.length;
    for (var r = 0; r < reelItems.length; r++) {
      reelItems[r].classList.toggle('is-current', Number(reelItems[r].getAttribute('data-index')) === index);
    }
    renderTime();
  }

  function renderTime(t) {
    if (t == null) t = ended ? total() : globalTime();
    var frac = Math.max(0, Math.min(1, t / total()));
    if (ui.fill) ui.fill.style.transform = 'scaleX(' + frac + ')';
    if (ui.knob) ui.knob.style.left = frac * 100 + '%';
    if (ui.time) ui.time.textContent = clock(t);
    if (ui.progress) {
      ui.progress.setAttribute('aria-valuenow', String(Math.round(t)));
      ui.progress.setAttribute('aria-valuetext', clock(t) + ' of ' + clock(total()));
    }
    var current = document.querySelector('[data-reel] .is-current [data-reel-fill]');
    if (current) {
      var local = (t - offsets[index]) / durations[index];
      current.style.transform = 'scaleX(' + Math.max(0, Math.min(1, local)) + ')';
    }
  }

  function tick() {
    requestAnimationFrame(tick);
    if (playing && !ended) {
      if (nextDue()) advance();
      else if (index + 1 === clips.length && pendingT == null && trimmed(live) && localTime() >= clipDuration(live)) endFilm();
      if (music && !music.paused) music.volume = volumeAt(globalTime());
    }
    if (!scrubbing) renderTime();
  }

  // ---- events from the media elements ---------------------------------------------------------------
  videos.forEach(function (v, k) {
    watchFrames(k);
    // Backstops for when animation frames are throttled (a background tab).
    v.addEventListener('timeupdate', function () {
      if (k === live && playing && nextDue()) advance();
    });
    v.addEventListener('ended', function () {
      if (k !== live || !playing || pendingT != null) return;
      if (index + 1 < clips.length) advance();
      else endFilm();
    });
    v.addEventListener('waiting', function () {
      if (k !== live || !playing) return;
      clearTimeout(stallTimer);
      stallTimer = setTimeout(function () {
        root.classList.add('is-buffering');
        if (music) music.pause();
      }, 250);
    });
    v.addEventListener('playing', function () {
      if (k !== live) return;
      clearTimeout(stallTimer);
      if (root.classList.contains('is-buffering')) {
        root.classList.remove('is-buffering');
        if (playing) startMusic();
      }
    });
    v.addEventListener('error', function () {
      var i = loaded[k];
      record(i, 'error');
      var item = reelItems[i];
      if (item) item.classList.add('is-broken');
      if (k === live && playing) setTimeout(function () { if (index + 1 < clips.length) next(); else endFilm(); }, 400);
    });
  });
  if (music) {
    music.addEventListener('loadedmetadata', layout);
    try { music.muted = localStorage.getItem('echoes.muted') === '1'; } catch (e) { /* storage off */ }
    root.classList.toggle('is-muted', music.muted);
  }

  // ---- controls -------------------------------------------------------------------------------------
  function showControls() {
    root.classList.remove('controls-hidden');
    clearTimeout(hideTimer);
    if (playing) hideTimer = setTimeout(function () { if (playing && !scrubbing) root.classList.add('controls-hidden'); }, 2600);
  }

  function isFullscreen() { return Boolean(document.fullscreenElement || document.webkitFullscreenElement) || root.classList.contains('is-pseudo-full'); }
  function toggleFullscreen() {
    var doc = document;
    if (doc.fullscreenElement || doc.webkitFullscreenElement) {
      (doc.exitFullscreen || doc.webkitExitFullscreen).call(doc);
      return;
    }
    if (root.classList.contains('is-pseudo-full')) return setPseudo(false);
    var request = root.requestFullscreen || root.webkitRequestFullscreen;
    if (request && (doc.fullscreenEnabled || doc.webkitFullscreenEnabled)) {
      Promise.resolve(request.call(root)).then(lockLandscape, function () { setPseudo(true); });
    } else {
      setPseudo(true); // iPhone: only a lone <video> may go full screen, so fill the window instead
    }
  }
  function setPseudo(on) {
    root.classList.toggle('is-pseudo-full', on);
    document.documentElement.classList.toggle('player-locked', on);
    onFullscreenChange();
  }
  function lockLandscape() {
    var o = screen.orientation;
    if (data.ratio && data.ratio.width > data.ratio.height && o && o.lock) o.lock('landscape').catch(function () {});
  }
  function onFullscreenChange() { root.classList.toggle('is-full', isFullscreen()); }
  document.addEventListener('fullscreenchange', onFullscreenChange);
  document.addEventListener('webkitfullscreenchange', onFullscreenChange);

  function toggleMute() {
    if (!music) return;
    music.muted = !music.muted;
    root.classList.toggle('is-muted', music.muted);
    try { localStorage.setItem('echoes.muted', music.muted ? '1' : '0'); } catch (e) { /* storage off */ }
  }

  var actions = {
    toggle: toggle, prev: prev, next: next, mute: toggleMute, fullscreen: toggleFullscreen,
    replay: function () { seek(0); play(); },
  };
  root.addEventListener('click', function (evt) {
    var btn = evt.target.closest('[data-action]');
    if (btn && actions[btn.getAttribute('data-action')]) {
      actions[btn.getAttribute('data-action')]();
      showControls();
    }
  });

  // Taps and swipes on the picture: a tap shows the controls (touch) or toggles play (mouse);
  // a horizontal swipe goes to the next or previous clip.
  var down = null;
  root.addEventListener('pointerdown', function (evt) {
    if (evt.target.closest('[data-controls], [data-action], a')) return;
    down = { x: evt.clientX, y: evt.clientY, t: Date.now(), type: evt.pointerType };
  });
  root.addEventListener('pointerup', function (evt) {
    if (!down) return;
    var dx = evt.clientX - down.x;
    var dy = evt.clientY - down.y;
    var start = down;
    down = null;
    if (Math.abs(dx) > 50 && Math.abs(dx) > Math.abs(dy) * 1.5 && Date.now() - start.t < 800) {
      if (dx < 0) next(); else prev();
      showControls();
      return;
    }
    if (Math.abs(dx) > 12 || Math.abs(dy) > 12) return;
    if (start.type !== 'mouse' && root.classList.contains('controls-hidden')) showControls();
    else { toggle(); showControls(); }
  });
  root.addEventListener('pointercancel', function () { down = null; });
  root.addEventListener('dblclick', function (evt) {
    if (!evt.target.closest('[data-controls], [data-action]')) toggleFullscreen();
  });
  root.addEventListener('pointermove', function (evt) { if (evt.pointerType === 'mouse') showControls(); });

  // The progress bar: click or drag to seek over the whole film.
  if (ui.progress) {
    var fracAt = function (evt) {
      var box = ui.progress.getBoundingClientRect();
      return Math.max(0, Math.min(1, (evt.clientX - box.left) / box.width));
    };
    var showTip = function (frac) {
      if (!ui.tip) return;
      ui.tip.hidden = false;
      ui.tip.textContent = clock(frac * total());
      ui.tip.style.left = frac * 100 + '%';
    };
    ui.progress.addEventListener('pointerdown', function (evt) {
      scrubbing = true;
      ui.progress.setPointerCapture(evt.pointerId);
      var frac = fracAt(evt);
      renderTime(frac * total());
      showTip(frac);
      root.classList.add('is-scrubbing');
    });
    ui.progress.addEventListener('pointermove', function (evt) {
      var frac = fracAt(evt);
      if (scrubbing) renderTime(frac * total());
      showTip(frac);
    });
    var endScrub = function (evt) {
      if (!scrubbing) return;
      scrubbing = false;
      root.classList.remove('is-scrubbing');
      if (ui.tip) ui.tip.hidden = true;
      seek(fracAt(evt) * total());
      showControls();
    };
    ui.progress.addEventListener('pointerup', endScrub);
    ui.progress.addEventListener('pointercancel', function () { scrubbing = false; root.classList.remove('is-scrubbing'); });
    ui.progress.addEventListener('pointerleave', function () { if (!scrubbing && ui.tip) ui.tip.hidden = true; });
  }

  document.addEventListener('keydown', function (evt) {
    var target = evt.target;
    if (evt.ctrlKey || evt.metaKey || evt.altKey) return;
    if (target.closest && target.closest('input, textarea, select, [contenteditable]')) return;
    var onSlider = target === ui.progress;
    var onButton = target.closest && target.closest('button, a');
    var key = evt.key;
    if ((key === ' ' || key === 'Enter') && onButton) return; // the focused control acts itself
    if (key === ' ' || key === 'k' || key === 'K') toggle();
    else if (key === 'ArrowRight') { if (onSlider) seek(globalTime() + 5); else next(); }
    else if (key === 'ArrowLeft') { if (onSlider) seek(globalTime() - 5); else prev(); }
    else if (key === 'Home' && onSlider) seek(0);
    else if (key === 'End' && onSlider) seek(total());
    else if (key === 'f' || key === 'F') toggleFullscreen();
    else if (key === 'm' || key === 'M') toggleMute();
    else if (key === 'Escape' && root.classList.contains('is-pseudo-full')) setPseudo(false);
    else return;
    evt.preventDefault();
    showControls();
  });

  // The clip list: a click jumps the film to that clip.
  document.addEventListener('click', function (evt) {
    var link = evt.target.closest && evt.target.closest('[data-seek]');
    if (!link) return;
    evt.preventDefault();
    seek(offsets[Number(link.getAttribute('data-seek'))] || 0);
    if (!playing) play();
    var box = root.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) root.scrollIntoView({ block: 'center', behavior: 'smooth' });
  });

  if ('mediaSession' in navigator && window.MediaMetadata) {
    var art = clips[0].thumbUrl ? [{ src: new URL(clips[0].thumbUrl, location.href).href }] : [];
    navigator.mediaSession.metadata = new MediaMetadata({ title: data.title || 'Echoes', artist: 'Echoes', artwork: art });
    var handlers = { play: play, pause: pause, previoustrack: prev, nexttrack: next };
    Object.keys(handlers).forEach(function (name) {
      try { navigator.mediaSession.setActionHandler(name, handlers[name]); } catch (e) { /* unsupported action */ }
    });
  }

  layout();
  render();
  showControls();
  root.classList.add('is-ready');
  requestAnimationFrame(tick);
})();
