// Many photos at once (form[data-photos-form], POST /projects/:id/photos): choose several, drop
// them anywhere on the project page, or paste them. Each photo gets a card in the grid at once
// (its own picture, in the project's frame), one progress bar counts all of them, and the browser
// sends a few at a time, one photo a request, so every card learns its own fate: the server's card
// replaces it, or it says why the photo was not added. Without JavaScript the form posts all the
// chosen files in one request and the page reloads.
import { csrfToken } from './csrf.js';
import { shrink } from './shrink.js';

(function () {
  if (window.__echoesPhotos) return;
  window.__echoesPhotos = true;

  var AT_ONCE = 3;

  function form() { return document.querySelector('form[data-photos-form]'); }
  function grid() { return document.getElementById('clip-grid'); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  // A card standing in for a photo until the server answers.
  function placeholder(file, ratioClass) {
    var card = el('article', 'clip-card is-uploading');
    card.setAttribute('data-photo-placeholder', '');
    var media = el('div', 'clip-media ' + ratioClass);
    if (/^image\//.test(file.type)) {
      var img = el('img');
      img.alt = '';
      img.src = URL.createObjectURL(file);
      img.addEventListener('load', function () { URL.revokeObjectURL(img.src); });
      img.addEventListener('error', function () { img.remove(); });
      media.appendChild(img);
    }
    var overlay = el('div', 'clip-overlay');
    overlay.appendChild(el('span', 'clip-state', 'Waiting to upload'));
    media.appendChild(overlay);
    card.appendChild(media);
    var body = el('div', 'clip-body');
    body.appendChild(el('p', 'clip-prompt muted', file.name));
    card.appendChild(body);
    return card;
  }

  function say(card, text) {
    var s = card.querySelector('.clip-state');
    if (s) s.textContent = text;
  }

  function refuse(card, message) {
    card.classList.remove('is-uploading');
    card.classList.add('is-refused');
    card.removeAttribute('data-photo-placeholder');
    var overlay = card.querySelector('.clip-overlay');
    if (overlay) overlay.remove();
    var body = card.querySelector('.clip-body');
    var p = el('p', 'clip-error', message);
    p.setAttribute('role', 'status');
    body.appendChild(p);
    var dismiss = el('button', 'button button-small button-secondary', 'Dismiss');
    dismiss.type = 'button';
    dismiss.addEventListener('click', function () { card.remove(); });
    body.appendChild(dismiss);
  }

  function reasonFrom(html, status) {
    try {
      var doc = new DOMParser().parseFromString(html, 'text/html');
      var r = doc.querySelector('[data-photo-reason], .error-page h1 + p, [data-error-status], .flash-error');
      if (r) return r.textContent.trim();
    } catch (e) { /* fall through */ }
    return 'This photo was not added (error ' + status + '). Please try again.';
  }

  function send(file, card, onProgress) {
    return shrink(file).then(function (toSend) {
      return new Promise(function (resolve) {
        var data = new FormData();
        data.append('image', toSend, toSend.name);
        var xhr = new XMLHttpRequest();
        xhr.open('POST', '/projects/' + form().getAttribute('data-project-id') + '/photos');
        xhr.setRequestHeader('x-csrf-token', csrfToken());
        xhr.setRequestHeader('hx-request', 'true');
        xhr.upload.addEventListener('progress', function (e) {
          if (!e.lengthComputable) return;
          onProgress(e.loaded / e.total);
          say(card, e.loaded < e.total ? 'Uploading…' : 'Checking the photo…');
        });
        xhr.addEventListener('load', function () {
          onProgress(1);
          var doc = new DOMParser().parseFromString(xhr.responseText, 'text/html');
          var made = xhr.status < 400 ? doc.querySelector('.clip-card[data-clip-id]') : null;
          // The shape the photos so far suggest (views/shape/_offer.eta): the latest answer's stands.
          var offer = made ? doc.querySelector('[data-shape-offer-slot]') : null;
          var slot = offer && document.getElementById(offer.id);
          if (slot) slot.replaceWith(document.importNode(offer, true));
          if (made) {
            var fresh = document.importNode(made, true);
            card.replaceWith(fresh);
            if (window.htmx) window.htmx.process(fresh);
            resolve(true);
          } else {
            refuse(card, file.name + ': ' + reasonFrom(xhr.responseText, xhr.status));
            resolve(false);
          }
        });
        xhr.addEventListener('error', function () {
          onProgress(1);
          refuse(card, file.name + ': the upload did not get through. Check your connection and try again.');
          resolve(false);
        });
        say(card, 'Uploading…');
        xhr.send(data);
      });
    });
  }

  var busy = false;

  function addPhotos(files) {
    var f = form();
    var g = grid();
    if (!f || !g || !files.length) return;
    if (busy) return;
    busy = true;
    var ratioClass = f.getAttribute('data-ratio-class') || '';
    var cards = files.map(function (file) {
      var c = placeholder(file, ratioClass);
      g.appendChild(c);
      return c;
    });
    var bar = f.querySelector('[data-photos-progress]');
    var label = f.querySelector('[data-photos-label]');
    var status = f.querySelector('[data-photos-status]');
    status.hidden = false;
    f.classList.add('is-uploading');
    var fractions = files.map(function () { return 0; });
    var done = 0;
    var added = 0;
    function show() {
      var total = fractions.reduce(function (a, b) { return a + b; }, 0) / files.length;
      bar.value = Math.round(total * 100);
      label.textContent = done < files.length
        ? 'Adding ' + files.length + (files.length === 1 ? ' photo' : ' photos') + '… ' + Math.round(total * 100) + '%'
        : 'Added ' + added + ' of ' + files.length + (files.length === 1 ? ' photo.' : ' photos.') + (added < files.length ? ' The cards say why the others were not.' : '');
    }
    show();
    var next = 0;
    function worker() {
      if (next >= files.length) return Promise.resolve();
      var i = next++;
      return send(files[i], cards[i], function (fr) { fractions[i] = fr; show(); }).then(function (ok) {
        done++;
        if (ok) added++;
        show();
        return worker();
      });
    }
    var workers = [];
    for (var w = 0; w < Math.min(AT_ONCE, files.length); w++) workers.push(worker());
    Promise.all(workers).then(function () {
      busy = false;
      f.reset();
      f.classList.remove('is-uploading');
      // Requests finish in any order; the grid shows the order the photos were chosen in.
      if (added > 1) g.dispatchEvent(new CustomEvent('clips:reordered', { bubbles: true }));
      document.dispatchEvent(new CustomEvent('clips:changed'));
    });
  }

  function imagesOf(list) {
    return Array.prototype.slice.call(list || []).filter(function (file) { return file && file.size >= 0; });
  }

  document.addEventListener('change', function (evt) {
    var input = evt.target;
    if (!input.matches || !input.matches('form[data-photos-form] input[type=file]')) return;
    addPhotos(imagesOf(input.files));
  });

  // The no-JavaScript button is for plain posts; with JavaScript choosing the files is enough.
  document.addEventListener('submit', function (evt) {
    var f = evt.target;
    if (!f.matches || !f.matches('form[data-photos-form]')) return;
    evt.preventDefault();
    addPhotos(imagesOf(f.querySelector('input[type=file]').files));
  });

  // Files dragged from the desktop onto the page (a card being reordered carries no files).
  function carriesFiles(evt) {
    var types = evt.dataTransfer && evt.dataTransfer.types;
    return types && Array.prototype.indexOf.call(types, 'Files') >= 0;
  }
  var depth = 0;
  document.addEventListener('dragenter', function (evt) {
    if (!form() || !carriesFiles(evt)) return;
    depth++;
    document.body.classList.add('is-dropping-photos');
  });
  document.addEventListener('dragleave', function (evt) {
    if (!form() || !carriesFiles(evt)) return;
    depth = Math.max(0, depth - 1);
    if (!depth) document.body.classList.remove('is-dropping-photos');
  });
  document.addEventListener('dragover', function (evt) {
    if (!form() || !carriesFiles(evt)) return;
    evt.preventDefault();
    evt.dataTransfer.dropEffect = 'copy';
  });
  document.addEventListener('drop', function (evt) {
    if (!form() || !carriesFiles(evt)) return;
    evt.preventDefault();
    depth = 0;
    document.body.classList.remove('is-dropping-photos');
    addPhotos(imagesOf(evt.dataTransfer.files));
  });

  // Pasted images (a screenshot, a copied photo), unless the person is typing.
  document.addEventListener('paste', function (evt) {
    var t = evt.target;
    if (!form() || (t && t.closest && t.closest('input, textarea, [contenteditable]'))) return;
    var files = imagesOf(evt.clipboardData && evt.clipboardData.files).filter(function (file) { return /^image\//.test(file.type); });
    if (!files.length) return;
    evt.preventDefault();
    addPhotos(files);
  });
})();
