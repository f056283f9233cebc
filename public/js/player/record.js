// @ts-check
/**
 * @typedef {object} PlayerEvent
 * @property {number} clipIndex
 * @property {string} event
 * @property {number} t performance.now() timebase, 0.1 ms.
 * @property {number | null} [music] For first frames: where the music was when it was presented.
 */

/**
 * Timing for tests and the gap benchmark (window.__echoesPlayer.events and .stats).
 * @param {(t: number) => number | null} musicClockAt
 */
export function createRecorder(musicClockAt) {
  /** @type {PlayerEvent[]} */
  const events = [];
  /** @type {{ worstFrameInterval: number, worstFrameAt: number | null, worstFrameT: number | null }} */
  const stats = { worstFrameInterval: 0, worstFrameAt: null, worstFrameT: null };
  return {
    events,
    stats,
    /**
     * @param {number} clipIndex
     * @param {string} event
     * @param {number | null} [t]
     */
    record(clipIndex, event, t) {
      const at = t == null ? performance.now() : t;
      /** @type {PlayerEvent} */
      const e = { clipIndex, event, t: Math.round(at * 10) / 10 };
      // Where the music is when this frame is presented (its clock is the film's): for the beat-sync test.
      if (event === 'first-frame') e.music = musicClockAt(at);
      events.push(e);
    },
  };
}

/** @typedef {ReturnType<typeof createRecorder>} Recorder */
