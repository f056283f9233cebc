// @ts-check
/** @typedef {import('./types.js').PlaylistData} PlaylistData */

/**
 * Keeps a public player's media URLs fresh: they last minutes and work only while the film is
 * shared (src/sharing/routes.ts), so the page asks for new ones every `renew.everyS` seconds and
 * puts them in the playlist, where the video switcher reads the next clip's URL. Once the link is
 * unshared the answer is a 404: renewal stops, and the film stops when its URLs run out. A media
 * element whose URL ran out mid-film (a seek asks the server again) retries with the fresh one.
 * @param {PlaylistData} data the playlist the player reads (changed in place)
 * @param {{ music: HTMLAudioElement | null, videos: HTMLVideoElement[] }} els
 */
export function keepUrlsFresh(data, els) {
  const renew = data.renew;
  if (!renew) return;
  const renewUrl = renew.url;
  /** Every URL handed out for a clip, to the clip's id: an element that failed is matched by its src. */
  /** @type {Map<string, string>} */
  const clipOfUrl = new Map(data.clips.map((c) => [c.url, c.id]));
  let stopped = false;

  async function renewNow() {
    if (stopped) return;
    try {
      const res = await fetch(renewUrl, { credentials: 'same-origin', cache: 'no-store' });
      if (res.status === 404) {
        stopped = true;
        clearInterval(timer);
        return;
      }
      if (!res.ok) return;
      /** @type {PlaylistData} */
      const fresh = await res.json();
      const byId = new Map(fresh.clips.map((c) => [c.id, c]));
      for (const clip of data.clips) {
        const f = byId.get(clip.id);
        if (!f) continue;
        clip.url = f.url;
        clip.thumbUrl = f.thumbUrl;
        clipOfUrl.set(f.url, clip.id);
      }
      if (data.music && fresh.music) data.music.url = fresh.music.url;
    } catch {
      // Offline for a moment: the next round tries again.
    }
  }
  const timer = setInterval(renewNow, renew.everyS * 1000);

  /** @param {HTMLMediaElement} el @param {string | undefined} url */
  function retryWith(el, url) {
    if (!url || url === el.getAttribute('src')) return;
    const t = el.currentTime;
    const playing = !el.paused;
    el.src = url;
    el.addEventListener('loadedmetadata', () => { el.currentTime = t; }, { once: true });
    if (playing) el.play().catch(() => {});
  }
  for (const v of els.videos) {
    v.addEventListener('error', () => {
      const id = clipOfUrl.get(v.getAttribute('src') || '');
      retryWith(v, data.clips.find((c) => c.id === id)?.url);
    });
  }
  const music = els.music;
  if (music) music.addEventListener('error', () => retryWith(music, data.music?.url));
}
