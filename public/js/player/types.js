// @ts-check
// The playlist the page carries as JSON (`<script type="application/json" id="playlist">`), built
// by src/film/playlist.ts (playlistData): the film's timeline as the server computed it.

/**
 * @typedef {object} PlaylistClip
 * @property {string} id
 * @property {string} url
 * @property {string | null} thumbUrl
 * @property {number} startS When the clip appears on the film's timeline (its fade-in begins).
 * @property {number} inS Where in its video the clip is shown from (its trim).
 * @property {number} outS How much of the clip is shown, fades included.
 * @property {boolean} [draft] The clip plays its free draft (a slow pan and zoom): the picture is marked.
 * @property {{ kind: 'cut' | 'crossfade' | 'dip' | 'flash', s: number }} [transitionIn] The transition
 *   from the clip before into this one (src/film/transition.ts); none: the film's crossfade.
 */

/**
 * @typedef {object} PlaylistData
 * @property {string} title
 * @property {{ value: string, width: number, height: number }} ratio
 * @property {number} crossfadeS
 * @property {number} musicFadeOutS
 * @property {number} totalS
 * @property {{ url: string, name: string, durationS: number | null } | null} music
 * @property {PlaylistClip[]} clips
 * @property {{ url: string, everyS: number } | null} [renew] Where fresh media URLs come from, and how
 *   often (the public player's URLs last minutes, and are renewed only while the film is shared).
 */

/**
 * What the player is doing; every module reads it, only the transport (main.js) and the video
 * switcher (videos.js) change it.
 * @typedef {object} PlayState
 * @property {number} index The clip playing.
 * @property {boolean} playing
 * @property {boolean} ended
 * @property {number | null} pendingT Where a seek is going, shown until it lands.
 * @property {boolean} scrubbing The progress bar is being dragged.
 */

export {};
