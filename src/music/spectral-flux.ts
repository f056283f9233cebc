/**
 * music-tempo's onset function (OnsetDetection.calculateSF: Hamming-windowed FFT magnitudes, sum of
 * their positive frame-to-frame differences) with the same window, padding and scale, computed on
 * typed arrays with a real-input FFT (one complex FFT of half the size). The library's version
 * first copies the whole signal into plain JS arrays (three copies of a 4-minute song are ~130 MB)
 * and transforms real data as complex, so this is half the work and a fraction of the memory.
 * A test checks both agree. It pauses every few thousand frames so a worker running inside the
 * web process (RUN_WORKERS) keeps answering requests while a song is analysed.
 */
// ~20 ms of work between pauses on a 2020s core.
const YIELD_EVERY = 1500;

export async function spectralFlux(samples: Float32Array, bufferSize: number, hopSize: number): Promise<number[]> {
  const n = bufferSize;
  const m = n / 2;
  const bits = Math.round(Math.log2(m));
  if (n < 4 || 1 << bits !== m) throw new Error(`bufferSize must be a power of two, got ${n}`);
  const window = new Float64Array(n);
  const scale = 1 / n / 0.54;
  for (let i = 0; i < n; i++) window[i] = Math.sqrt(n) * scale * (25 / 46 - (21 / 46) * Math.cos((2 * Math.PI * i) / n));
  // Twiddles of the size-n transform; the half-size FFT uses every second one.
  const cos = new Float64Array(m);
  const sin = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    cos[i] = Math.cos((2 * Math.PI * i) / n);
    sin[i] = -Math.sin((2 * Math.PI * i) / n);
  }
  const rev = new Uint32Array(m);
  for (let i = 0; i < m; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    rev[i] = r;
  }
  const re = new Float64Array(m);
  const im = new Float64Array(m);
  let prev = new Float64Array(m + 1);
  let mag = new Float64Array(m + 1);
  const lead = n - hopSize; // the library pads this many zeros in front
  const at = (i: number) => (i >= 0 && i < samples.length ? samples[i]! : 0);
  const out: number[] = [];
  for (let start = 0, frame = 0; start < samples.length; start += hopSize, frame++) {
    if (frame % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
    // Even samples as real parts, odd ones as imaginary parts.
    for (let k = 0; k < m; k++) {
      const src = start + 2 * k - lead;
      re[rev[k]!] = window[2 * k]! * at(src);
      im[rev[k]!] = window[2 * k + 1]! * at(src + 1);
    }
    for (let size = 2; size <= m; size <<= 1) {
      const h = size >> 1;
      const step = (n / size) | 0;
      for (let i = 0; i < m; i += size) {
        for (let j = 0, t = 0; j < h; j++, t += step) {
          const a = i + j;
          const b = a + h;
          const tr = cos[t]! * re[b]! - sin[t]! * im[b]!;
          const ti = cos[t]! * im[b]! + sin[t]! * re[b]!;
          re[b] = re[a]! - tr;
          im[b] = im[a]! - ti;
          re[a] = re[a]! + tr;
          im[a] = im[a]! + ti;
        }
      }
    }
    // Unpack the spectrum of the real signal: X[k] = E[k] + W^k O[k], for k = 0..m.
    let flux = 0;
    for (let k = 0; k <= m; k++) {
      const zr = re[k % m]!;
      const zi = im[k % m]!;
      const cr = re[(m - k) % m]!;
      const ci = -im[(m - k) % m]!;
      const er = (zr + cr) / 2;
      const ei = (zi + ci) / 2;
      const or = (zi - ci) / 2;
      const oi = -(zr - cr) / 2;
      const wr = k < m ? cos[k]! : -1;
      const wi = k < m ? sin[k]! : 0;
      const xr = er + wr * or - wi * oi;
      const xi = ei + wr * oi + wi * or;
      const value = Math.sqrt(xr * xr + xi * xi);
      mag[k] = value;
      const d = value - prev[k]!;
      if (d > 0) flux += d;
    }
    out.push(flux);
    [prev, mag] = [mag, prev];
  }
  return out;
}
