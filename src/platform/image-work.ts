import { availableParallelism } from 'node:os';
import type SharpModule from 'sharp';
import { CpuSlots } from './cpu-slots.js';

// One libvips thread per image, and as many images at once as there are cores less one (type
// sniffing, header, decoding, encoding), leaving a core to the event loop: with sharp's defaults (a thread
// per core for each of up to four images at once) a burst of 100 uploads held page requests for a
// second and more (`bench/load.ts` pages p99 ~1.05 s against ~0.27 s; docs/decisions/0026-*).
// At most three: sharp runs on libuv's pool of four threads, which file reads and writes need too.
export const IMAGE_SLOTS = Math.min(3, Math.max(1, availableParallelism() - 1));

/** All image work in this process goes through here. */
export const imageWork = new CpuSlots(IMAGE_SLOTS);

export type Sharp = typeof SharpModule;
let loading: Promise<Sharp> | null = null;

/** sharp (libvips, a native library: ~100 ms of CPU to load) on the first image, not at start (docs/decisions/0028). */
export function loadSharp(): Promise<Sharp> {
  loading ??= import('sharp').then((m) => {
    const sharp = m.default;
    sharp.concurrency(1);
    return sharp;
  });
  return loading;
}
export type { Metadata } from 'sharp';
