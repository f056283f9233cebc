// @ts-check
/** @typedef {import('./timeline.js').Timeline} Timeline */

/** The music is only re-seeked on a natural hand-over when something went badly out of step. */
export const MUSIC_DRIFT_S = 1;

/**
 * The music: one <audio> that runs across the whole film. While it plays, its clock is the film's
 * clock (the cut plan put the cuts on its beats). Every method is a no-op without music.
 * @param {HTMLAudioElement | null} el
 * @param {Timeline} timeline
 */
export function createMusic(el, timeline) {
  /**
   * Where in the track film time `t` is: wrapped when the track loops (shorter than the film).
   * @param {number} t
   */
  function timeAt(t) {
    if (!el) return 0;
    const d = el.duration;
    if (isFinite(d) && d > 0 && el.loop) return t % d;
    return isFinite(d) && d > 0 ? Math.min(t, d) : t;
  }

  /**
   * Puts the music at film time `t`; unless forced, only when it drifted more than MUSIC_DRIFT_S.
   * @param {number} t
   * @param {boolean} force
   */
  function sync(t, force) {
    if (!el || el.readyState < 1) return;
    const want = timeAt(t);
    if (force || Math.abs(el.currentTime - want) > MUSIC_DRIFT_S) el.currentTime = want;
  }

  return {
    el,
    timeAt,
    sync,
    /** The film's time on the music's clock, while the music runs and says it unambiguously; else null. */
    clock() {
      if (!el || el.paused || el.loop || el.seeking || el.readyState < 2) return null;
      return el.currentTime;
    },
    /**
     * Where the music is when a frame is presented at `t` (performance.now() timebase); null when not playing.
     * @param {number} t
     */
    clockAt(t) {
      if (!el || el.paused || el.readyState < 2) return null;
      return Math.round((el.currentTime + (t - performance.now()) / 1000) * 1000) / 1000;
    },
    /**
     * Starts the music at film time `t` (at its volume there), unless the track is already over.
     * @param {number} t
     */
    start(t) {
      if (!el) return;
      el.volume = timeline.volumeAt(t);
      sync(t, true);
      const d = el.duration;
      if (!el.loop && isFinite(d) && t >= d) return;
      el.play().catch(() => { /* blocked until the person interacts */ });
    },
    pause() {
      if (el) el.pause();
    },
    /**
     * Follows the fade-out at film time `t` while playing; while paused, only the position moves.
     * @param {number} t
     */
    seek(t) {
      if (!el) return;
      el.volume = timeline.volumeAt(t);
      if (el.readyState >= 1) el.currentTime = timeAt(t);
    },
    /** @param {number} t */
    fade(t) {
      if (el && !el.paused) el.volume = timeline.volumeAt(t);
    },
    /** A track shorter than the film loops. */
    fitLoop() {
      if (el && isFinite(el.duration) && el.duration > 0) el.loop = el.duration < timeline.total - 0.5;
    },
  };
}

/** @typedef {ReturnType<typeof createMusic>} Music */
