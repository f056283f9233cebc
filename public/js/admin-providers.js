// /admin/settings, providers form: each model list offers only the models of the provider chosen
// beside it (the server checks the same; without script every group shows and a wrong pick is refused).
(function () {
  /** @param {HTMLSelectElement} provider */
  function follow(provider) {
    var form = provider.form;
    var models = form && form.elements.namedItem(provider.getAttribute('data-models') || '');
    if (!(models instanceof HTMLSelectElement)) return;
    var name = provider.value || provider.getAttribute('data-env-provider') || '';
    var none = provider.value === '' && provider.name === 'fallbackProvider';
    /** @type {HTMLOptionElement | null} */
    var first = null;
    var keep = false;
    for (var group of Array.from(models.querySelectorAll('optgroup'))) {
      var mine = !none && group.getAttribute('data-provider') === name;
      group.hidden = !mine;
      group.disabled = !mine;
      if (!mine) continue;
      for (var o of Array.from(group.querySelectorAll('option'))) {
        if (!first && !o.disabled) first = o;
        if (o.selected) keep = true;
      }
    }
    var blank = models.querySelector('option[value=""]');
    if (blank instanceof HTMLOptionElement) blank.hidden = !none;
    if (none && blank instanceof HTMLOptionElement) blank.selected = true;
    else if (!keep && first) first.selected = true;
  }
  document.querySelectorAll('.providers-form select[data-models]').forEach(function (s) {
    var select = /** @type {HTMLSelectElement} */ (s);
    follow(select);
    select.addEventListener('change', function () { follow(select); });
  });
})();
