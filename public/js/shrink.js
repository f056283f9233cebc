// Big photos are re-encoded smaller in a canvas before they are sent (upload.js, photos.js).
var MAX_SIDE = 2500;
var SHRINK_OVER_BYTES = 3 * 1024 * 1024;

// Re-encode to JPEG at most MAX_SIDE pixels on the long side; EXIF orientation is applied by
// the browser while drawing. Anything it cannot decode (HEIC on most browsers) goes as it is.
export function shrink(file) {
  if (!file || !/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) return Promise.resolve(file);
  return createImageBitmap(file, { imageOrientation: 'from-image' }).then(function (bmp) {
    var scale = Math.min(1, MAX_SIDE / Math.max(bmp.width, bmp.height));
    if (scale === 1 && file.size <= SHRINK_OVER_BYTES) return file;
    var canvas = document.createElement('canvas');
    canvas.width = Math.round(bmp.width * scale);
    canvas.height = Math.round(bmp.height * scale);
    canvas.getContext('2d').drawImage(bmp, 0, 0, canvas.width, canvas.height);
    if (bmp.close) bmp.close();
    return new Promise(function (resolve) {
      canvas.toBlob(function (blob) {
        if (!blob || blob.size >= file.size) return resolve(file);
        resolve(new File([blob], file.name.replace(/\.[^.]+$/, '') + '.jpg', { type: 'image/jpeg' }));
      }, 'image/jpeg', 0.9);
    });
  }).catch(function () { return file; });
}
