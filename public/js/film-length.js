// The project header's film length ([data-film-length]) follows the film as it changes. The page's
// timeline (#timeline, views/film/_timeline.eta) refreshes itself whenever the live stream says the
// film changed, carrying the plan's length in data-total-s: the header copies it, so both always
// show the players' number.
(function () {
  if (window.__echoesFilmLength) return;
  window.__echoesFilmLength = true;

  /** The players' clock: whole seconds, m:ss. */
  function clock(seconds) {
    var s = Math.max(0, Math.floor(seconds + 0.001));
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }

  function refresh() {
    var header = document.querySelector('[data-film-length]');
    var timeline = document.getElementById('timeline');
    if (!header || !timeline || !timeline.hasAttribute('data-total-s')) return;
    var total = Number(timeline.getAttribute('data-total-s'));
    if (!Number.isFinite(total) || String(total) === header.getAttribute('data-total-s')) return;
    header.setAttribute('data-total-s', String(total));
    header.textContent = 'film ' + clock(total);
  }

  document.addEventListener('htmx:after:swap', function () { setTimeout(refresh, 0); });
  document.addEventListener('htmx:after:settle', refresh);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', refresh);
  else refresh();
})();
