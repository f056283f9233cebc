// @ts-check
/** @typedef {import('./types.js').PlaylistData} PlaylistData */

/**
 * The film's timeline, read from the playlist: where each clip starts, how much of it is shown,
 * the crossfade and the music's fade-out. Computed once, on the server (src/film/); nothing here
 * re-derives it from the video files.
 * @param {PlaylistData} data
 */
export function createTimeline(data) {
  const clips = data.clips;
  return {
    count: clips.length,
    total: data.totalS,
    crossfadeS: data.crossfadeS,
    /** @param {number} i */
    startOf: (i) => clips[i].startS,
    /** Where in its video clip i is shown from (its trim; 0 for playlists made before trims). @param {number} i */
    inOf: (i) => (i >= 0 && clips[i] ? clips[i].inS || 0 : 0),
    /** @param {number} i */
    outOf: (i) => clips[i].outS,
    /** @param {number} i */
    urlOf: (i) => clips[i].url,
    /**
     * The transition into clip i: its kind and length (the overlap with the clip before).
     * @param {number} i
     */
    transitionInto(i) {
      if (i <= 0) return { kind: 'cut', s: 0 };
      return clips[i].transitionIn || { kind: 'crossfade', s: data.crossfadeS };
    },
    /**
     * The clip shown at film time `t` (the incoming one during a crossfade).
     * @param {number} t
     */
    clipAt(t) {
      for (let i = clips.length - 1; i > 0; i--) if (t >= clips[i].startS) return i;
      return 0;
    },
    /**
     * The music's volume at film time `t`: it fades to silence over the film's last musicFadeOutS.
     * @param {number} t
     */
    volumeAt(t) {
      const fade = data.musicFadeOutS;
      const left = data.totalS - t;
      return left < fade ? Math.max(0, left / fade) : 1;
    },
  };
}

/** @typedef {ReturnType<typeof createTimeline>} Timeline */

/**
 * m:ss, rounded down like the server's clock (src/platform/format.ts), so both agree.
 * @param {number} seconds
 */
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds + 0.001));
  return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
}
