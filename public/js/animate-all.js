// "Animate N clips · N credits" (views/clips/_animate_all.eta): the count, the price and the clips
// the confirmation sends follow the draft cards the page shows, whatever changed them (an upload,
// a pushed card, an animation started in another tab). Each card's Animate button carries its price
// (data-cost, from the server's one price function); this only adds them up.
(function () {
  if (window.__echoesAnimateAll) return;
  window.__echoesAnimateAll = true;

  function counted(n, noun) {
    return n + ' ' + noun + (n === 1 ? '' : 's');
  }

  function balance(section) {
    var header = document.getElementById('credit-balance');
    var value = header ? header.getAttribute('data-credit-balance') : section.getAttribute('data-balance');
    return Number(value || 0);
  }

  function refresh() {
    var section = document.querySelector('[data-animate-all]');
    var grid = document.getElementById('clip-grid');
    if (!section || !grid) return;
    var ids = [];
    var total = 0;
    grid.querySelectorAll('.clip-card[data-clip-id][data-status="draft"]').forEach(function (card) {
      var button = card.querySelector('[data-animate][data-cost]');
      if (!button) return;
      ids.push(card.getAttribute('data-clip-id'));
      total += Number(button.getAttribute('data-cost') || 0);
    });
    var have = balance(section);
    var set = function (sel, n) {
      section.querySelectorAll(sel).forEach(function (el) { el.textContent = counted(n, el.getAttribute('data-noun') || ''); });
    };
    set('[data-animate-count]', ids.length);
    set('[data-animate-price]', total);
    set('[data-animate-balance]', have);
    set('[data-animate-shortfall]', Math.max(0, total - have));
    var short = section.querySelector('[data-animate-short]');
    if (short) short.hidden = have >= total;
    var holder = section.querySelector('[data-animate-ids]');
    if (holder) {
      holder.textContent = '';
      ids.forEach(function (id) {
        var input = document.createElement('input');
        input.type = 'hidden';
        input.name = 'clip_ids';
        input.value = id;
        holder.appendChild(input);
      });
    }
    section.hidden = ids.length === 0;
    if (ids.length === 0) closeConfirm(section, false);
  }

  function closeConfirm(section, focus) {
    var details = section.querySelector('[data-animate-all-details]');
    if (!details || !details.open) return;
    details.open = false;
    if (focus) details.querySelector('summary').focus();
  }

  document.addEventListener('click', function (evt) {
    var cancel = evt.target.closest && evt.target.closest('[data-animate-all-cancel]');
    if (cancel) closeConfirm(cancel.closest('[data-animate-all]'), true);
  });
  document.addEventListener('keydown', function (evt) {
    if (evt.key !== 'Escape') return;
    var section = evt.target.closest && evt.target.closest('[data-animate-all]');
    if (section) closeConfirm(section, true);
  });
  // Sent once: a second click while the page reloads would only meet a 409.
  document.addEventListener('submit', function (evt) {
    var form = evt.target;
    if (!form.matches || !form.matches('form[data-animate-all-form]')) return;
    var submit = form.querySelector('[data-animate-all-submit]');
    if (submit) setTimeout(function () { submit.disabled = true; }, 0);
  });

  document.addEventListener('clips:changed', refresh);
  document.addEventListener('htmx:after:swap', function () { setTimeout(refresh, 0); });
  document.addEventListener('htmx:sse:after:message', function () { setTimeout(refresh, 0); });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', refresh);
  else refresh();
})();
