// The direction form of a clip's next take (views/clips/_direction.eta): the price follows the
// length, the versions and "end on the next photo" (each option carries its price from the server),
// the price sent is the one shown, and Close puts the form away. Without this file the form still
// posts; the server refuses a price that differs from the one it would charge.
(function () {
  if (/** @type {any} */ (window).__echoesDirection) return;
  /** @type {any} */ (window).__echoesDirection = true;

  /** @param {HTMLFormElement} form */
  function refresh(form) {
    var duration = form.querySelector('[data-direction-duration]');
    if (!(duration instanceof HTMLSelectElement) || duration.selectedIndex < 0) return;
    var option = duration.options[duration.selectedIndex];
    var end = form.querySelector('[data-direction-end]');
    var ending = end instanceof HTMLInputElement && end.checked && !end.disabled;
    var attr = ending ? 'data-end-cost' : 'data-cost';
    // Each length shows its price on the provider that will make the take.
    Array.from(duration.options).forEach(function (o) {
      o.textContent = o.value + ' s · ' + (o.getAttribute(attr) || '') + ' cr';
    });
    var each = Number(option.getAttribute(attr) || 0);
    var versions = form.querySelector('[data-direction-versions]:checked');
    var total = each * Number(versions instanceof HTMLInputElement ? versions.value : 1);
    form.querySelectorAll('[data-direction-total]').forEach(function (el) { el.textContent = String(total); });
    form.querySelectorAll('[data-direction-unit]').forEach(function (el) { el.textContent = total === 1 ? 'credit' : 'credits'; });
    var price = form.querySelector('[data-direction-price]');
    if (price instanceof HTMLInputElement) price.value = String(total);
    var header = document.getElementById('credit-balance');
    var balance = Number((header && header.getAttribute('data-credit-balance')) || form.getAttribute('data-balance') || 0);
    var short = form.querySelector('[data-direction-short]');
    if (short instanceof HTMLElement) short.hidden = balance >= total;
  }

  document.addEventListener('change', function (evt) {
    var t = evt.target;
    var form = t instanceof Element ? t.closest('form[data-direction]') : null;
    if (form instanceof HTMLFormElement) refresh(form);
  });

  // Close: the form goes; the focus returns to the button that opened it.
  document.addEventListener('click', function (evt) {
    var t = evt.target;
    var close = t instanceof Element ? t.closest('[data-direction-close]') : null;
    if (!close) return;
    var box = close.closest('.clip-direct');
    var card = close.closest('[data-clip-id]');
    if (box) box.innerHTML = '';
    var opener = card && card.querySelector('[data-direct-open]');
    if (opener instanceof HTMLElement) opener.focus();
  });

  // A form just loaded into a card: its prices are current, and the prompt takes the focus.
  document.addEventListener('htmx:after:swap', function () {
    setTimeout(function () {
      document.querySelectorAll('form[data-direction]:not([data-ready])').forEach(function (form) {
        if (!(form instanceof HTMLFormElement)) return;
        form.setAttribute('data-ready', '');
        refresh(form);
        var prompt = form.querySelector('[data-direction-prompt]');
        if (prompt instanceof HTMLElement && form.closest('.clip-direct')) prompt.focus({ preventScroll: false });
      });
    }, 0);
  });
  document.querySelectorAll('form[data-direction]').forEach(function (form) {
    if (form instanceof HTMLFormElement) refresh(form);
  });
})();
