import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { testImage } from '../factories/clips.js';
import type { TestBrowser } from '../setup/browser.js';
import type { MultipartPart } from '../setup/multipart.js';

/** A photo big enough to be accepted (short side ≥ 300), as a camera would send it. */
export function photo(width = 400, height = 300, format: 'png' | 'jpeg' = 'jpeg'): Promise<Buffer> {
  return testImage(width, height, format);
}

/** Writes photos of these sizes (width, height) into `dir` as photo-1.jpg, photo-2.jpg, …; returns their paths. */
export function writePhotos(dir: string, sizes: Array<[number, number]>): Promise<string[]> {
  return Promise.all(
    sizes.map(async ([w, h], i) => {
      const file = path.join(dir, `photo-${i + 1}.jpg`);
      await writeFile(file, await photo(w, h));
      return file;
    }),
  );
}

export type PhotoFile = { name: string; value: Buffer; type?: string };

/** Posts files to POST /projects/:id/photos as the page does (htmx) or as a plain form. */
export function postPhotos(b: TestBrowser, projectId: string, files: PhotoFile[], opts: { htmx?: boolean } = {}) {
  const parts: MultipartPart[] = files.map((f) => ({ name: 'image', value: f.value, filename: f.name, contentType: f.type ?? 'image/jpeg' }));
  return b.postMultipart(`/projects/${projectId}/photos`, parts, opts.htmx ? { 'hx-request': 'true' } : {});
}
