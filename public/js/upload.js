// Uploads with progress: big photos are shrunk in a canvas first, the file is sent with
// XMLHttpRequest (upload progress), then the page follows the server's redirect. Without
// JavaScript the same forms post normally. For htmx-driven forms (the new-clip form) htmx still
// makes the request and swaps the answer, but through our fetch: shrink, then XHR with progress.
import { csrfToken } from './csrf.js';
import { shrink } from './shrink.js';
import { frameSize, placeFrame } from './frame.js';

(function () {
  var SELECTOR = 'form[data-upload], form.upload-form';

  // The action URL carries the CSRF token for browsers without JavaScript; we send it as a header.
  function withoutToken(url) {
    try {
      var u = new URL(url, window.location.href);
      u.searchParams.delete('_csrf');
      return u.toString();
    } catch (e) {
      return url;
    }
  }

  function fileInput(form) {
    return form.querySelector('input[type="file"]');
  }

  function statusBox(form) {
    var box = form.querySelector('.upload-status');
    if (!box) {
      box = document.createElement('div');
      box.className = 'upload-status';
      box.setAttribute('role', 'status');
      box.innerHTML = '<div class="progress"><span></span></div><p class="upload-label"></p>';
      form.appendChild(box);
    }
    box.classList.remove('is-error');
    return {
      progress: function (fraction, label) {
        box.querySelector('.progress > span').style.width = Math.round(fraction * 100) + '%';
        box.querySelector('.upload-label').textContent = label;
      },
      error: function (message) {
        box.classList.add('is-error');
        box.querySelector('.upload-label').textContent = message;
      },
    };
  }

  function messageFrom(html) {
    try {
      var doc = new DOMParser().parseFromString(html, 'text/html');
      var el = doc.querySelector('.error-page h1 + p, [data-error-status], .field-error, .flash-error');
      return el ? el.textContent.trim() : '';
    } catch (e) {
      return '';
    }
  }

  function setBusy(form, busy) {
    form.querySelectorAll('button, input[type="submit"]').forEach(function (b) { b.disabled = busy; });
    form.classList.toggle('is-uploading', busy);
  }

  // The photo in the form data, shrunk (and the camera's file when the input could not take it).
  function withShrunkPhoto(form, data) {
    var input = fileInput(form);
    if (!input) return Promise.resolve(data);
    var picked = form.__cameraFile || data.get(input.name);
    var prepared = input.name === 'image' && picked instanceof File ? shrink(picked) : Promise.resolve(picked);
    return prepared.then(function (file) {
      if (file instanceof File && file !== data.get(input.name)) data.set(input.name, file, file.name);
      return data;
    });
  }

  // Sends with XMLHttpRequest (fetch cannot report upload progress), showing the progress.
  // Resolves with the finished request; rejects, the error shown, when it did not get through.
  function xhrUpload(form, ui, method, url, data, headers, signal) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      var names = Object.keys(headers);
      names.forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
      if (!names.some(function (n) { return n.toLowerCase() === 'x-csrf-token'; })) xhr.setRequestHeader('x-csrf-token', csrfToken());
      xhr.upload.addEventListener('progress', function (e) {
        if (!e.lengthComputable) return;
        var f = e.loaded / e.total;
        ui.progress(f, f < 1 ? 'Uploading… ' + Math.round(f * 100) + '%' : 'Processing…');
      });
      xhr.addEventListener('load', function () { resolve(xhr); });
      xhr.addEventListener('error', function () {
        setBusy(form, false);
        ui.error('The upload did not get through. Check your connection and try again.');
        reject(new TypeError('upload failed'));
      });
      if (signal) signal.addEventListener('abort', function () { xhr.abort(); });
      xhr.send(data);
    });
  }

  function start(form) {
    var ui = statusBox(form);
    setBusy(form, true);
    ui.progress(0, 'Preparing…');
    return ui;
  }

  // A plain form: upload, then follow the server's redirect.
  function send(form) {
    var ui = start(form);
    withShrunkPhoto(form, new FormData(form))
      .then(function (data) { return xhrUpload(form, ui, 'POST', withoutToken(form.action), data, { accept: 'text/html' }); })
      .then(function (xhr) {
        if (xhr.status >= 200 && xhr.status < 400) {
          ui.progress(1, 'Done');
          window.location.assign(xhr.responseURL || window.location.href);
          return;
        }
        setBusy(form, false);
        ui.error(messageFrom(xhr.responseText) || 'The upload failed (error ' + xhr.status + '). Please try again.');
      }, function () { /* shown by xhrUpload */ });
  }

  function parseHeaders(raw) {
    var headers = new Headers();
    raw.trim().split(/\r?\n/).forEach(function (line) {
      var i = line.indexOf(':');
      if (i > 0) {
        try { headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim()); } catch (e) { /* forbidden name */ }
      }
    });
    return headers;
  }

  // A fetch() for htmx: the same shrink and progress, then htmx swaps the answer as usual.
  function fetchWithProgress(form, url, request) {
    var ui = start(form);
    return withShrunkPhoto(form, request.body)
      .then(function (data) { return xhrUpload(form, ui, request.method || 'POST', withoutToken(url), data, request.headers || {}, request.signal); })
      .then(function (xhr) {
        setBusy(form, false);
        var box = form.querySelector('.upload-status');
        if (xhr.status < 400) {
          ui.progress(1, 'Uploaded');
          setTimeout(function () { if (box) box.remove(); }, 1500);
        } else if (box) {
          box.remove();
        }
        return new Response(xhr.responseText, { status: xhr.status, headers: parseHeaders(xhr.getAllResponseHeaders()) });
      });
  }

  document.addEventListener('htmx:before:request', function (evt) {
    var form = evt.target;
    var ctx = evt.detail && evt.detail.ctx;
    if (!form.matches || !form.matches(SELECTOR) || !ctx || !(ctx.request.body instanceof FormData) || !window.XMLHttpRequest) return;
    if (!fileInput(form)) return;
    ctx.fetch = function (url, request) { return fetchWithProgress(form, url, request); };
  });

  document.addEventListener('submit', function (evt) {
    var form = evt.target.closest && evt.target.closest(SELECTOR);
    if (!form || evt.defaultPrevented || form.hasAttribute('hx-post') || !window.FormData || !window.XMLHttpRequest) return;
    evt.preventDefault();
    send(form);
  });

  // Show what was chosen, with the project's frame on it (form data-frame-w/h): the bright part is
  // what the film shows, as the card's crop editor shows it after the upload. On phones, offer the
  // camera beside the file picker.
  function preview(form, file) {
    var box = form.querySelector('.upload-preview');
    if (!file || !/^image\//.test(file.type)) { if (box) box.remove(); return; }
    var fw = Number(form.getAttribute('data-frame-w'));
    var fh = Number(form.getAttribute('data-frame-h'));
    if (!box) {
      box = document.createElement('div');
      box.className = 'upload-preview';
      box.setAttribute('data-upload-preview', '');
      var photo = document.createElement('div');
      photo.className = 'upload-preview-photo';
      var pic = document.createElement('img');
      pic.alt = '';
      photo.appendChild(pic);
      if (fw && fh) {
        var frame = document.createElement('div');
        frame.className = 'upload-preview-frame';
        frame.setAttribute('data-preview-frame', '');
        frame.hidden = true;
        photo.appendChild(frame);
        var say = document.createElement('p');
        say.className = 'hint';
        say.textContent = 'The bright frame is what the film shows. After the upload, Crop on the card moves it.';
        box.appendChild(photo);
        box.appendChild(say);
      } else {
        box.appendChild(photo);
      }
      fileInput(form).insertAdjacentElement('afterend', box);
    }
    var img = box.querySelector('img');
    var frameEl = box.querySelector('[data-preview-frame]');
    if (img.src) URL.revokeObjectURL(img.src);
    img.onload = function () {
      if (!frameEl || !img.naturalWidth) return;
      // The centre: where a new photo's crop sits until it is moved.
      placeFrame(frameEl, frameSize(img.naturalWidth, img.naturalHeight, fw, fh), 0.5, 0.5);
      frameEl.hidden = false;
    };
    img.src = URL.createObjectURL(file);
  }

  function addCamera(form, input) {
    if (!window.matchMedia || !window.matchMedia('(pointer: coarse)').matches || form.querySelector('.camera-button')) return;
    var camera = document.createElement('input');
    camera.type = 'file';
    camera.accept = 'image/*';
    camera.setAttribute('capture', 'environment');
    camera.style.display = 'none';
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'button button-secondary button-small camera-button';
    button.textContent = 'Take a photo';
    button.addEventListener('click', function () { camera.click(); });
    camera.addEventListener('change', function () {
      var file = camera.files && camera.files[0];
      if (!file) return;
      try {
        var dt = new DataTransfer();
        dt.items.add(file);
        input.files = dt.files;
        form.__cameraFile = null;
      } catch (e) {
        form.__cameraFile = file;
        input.required = false;
      }
      preview(form, file);
    });
    input.insertAdjacentElement('afterend', button);
    form.appendChild(camera);
  }

  function enhance() {
    document.querySelectorAll(SELECTOR).forEach(function (form) {
      var input = fileInput(form);
      if (!input || form.__enhanced) return;
      form.__enhanced = true;
      input.addEventListener('change', function () {
        form.__cameraFile = null;
        preview(form, input.files && input.files[0]);
      });
      if (input.name === 'image') addCamera(form, input);
    });
  }

  document.addEventListener('DOMContentLoaded', enhance);
  document.addEventListener('htmx:after:swap', enhance);
})();
