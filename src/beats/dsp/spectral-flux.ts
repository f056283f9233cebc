import FFT from 'fft.js';

/**
 * music-tempo's onset function (OnsetDetection.calculateSF: Hamming-windowed FFT magnitudes, sum of
 * their positive frame-to-frame differences) with the same window, padding and scale, computed on
 * typed arrays with fft.js's real-input transform. The library's version first copies the whole
 * signal into plain JS arrays (three copies of a 4-minute song are ~130 MB) and transforms real
 * data as complex, so this is half the work and a fraction of the memory. A test checks both
 * agree. It pauses every few thousand frames so a worker running inside the web process
 * (RUN_WORKERS) keeps answering requests while a song is analysed.
 */
// ~20 ms of work between pauses on a 2020s core.
const YIELD_EVERY = 1500;

export async function spectralFlux(samples: Float32Array, bufferSize: number, hopSize: number): Promise<number[]> {
  const n = bufferSize;
  if (n < 4 || (n & (n - 1)) !== 0) throw new Error(`bufferSize must be a power of two, got ${n}`);
  const half = n / 2;
  const window = new Float64Array(n);
  const scale = 1 / n / 0.54;
  for (let i = 0; i < n; i++) window[i] = Math.sqrt(n) * scale * (25 / 46 - (21 / 46) * Math.cos((2 * Math.PI * i) / n));
  const fft = new FFT(n);
  const frame = new Float64Array(n);
  // Interleaved re/im; realTransform fills bins 0..n/2, the only ones a real signal needs.
  const spectrum = new Float64Array(2 * n);
  let prev = new Float64Array(half + 1);
  let mag = new Float64Array(half + 1);
  const lead = n - hopSize; // the library pads this many zeros in front
  const out: number[] = [];
  for (let start = 0, index = 0; start < samples.length; start += hopSize, index++) {
    if (index % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < n; i++) {
      const src = start + i - lead;
      frame[i] = src >= 0 && src < samples.length ? window[i]! * samples[src]! : 0;
    }
    fft.realTransform(spectrum, frame);
    let flux = 0;
    for (let k = 0; k <= half; k++) {
      const re = spectrum[2 * k]!;
      const im = spectrum[2 * k + 1]!;
      const value = Math.sqrt(re * re + im * im);
      mag[k] = value;
      const d = value - prev[k]!;
      if (d > 0) flux += d;
    }
    out.push(flux);
    [prev, mag] = [mag, prev];
  }
  return out;
}
