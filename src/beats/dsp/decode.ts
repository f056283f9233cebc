import { inputOf, run } from '../../platform/ffmpeg.js';

/** Sample rate of the analysis: plenty for beats (onsets live below 11 kHz) at half the memory of 44.1k. */
export const ANALYSIS_RATE = 22050;
/** Longer tracks are analysed up to this point; a music video is never longer. */
export const MAX_ANALYSIS_S = 20 * 60;

/** The file could not be decoded as audio; the message is safe to show to the creator. */
export class DecodeError extends Error {
  constructor(message: string, public detail = '') {
    super(message);
  }
}

/**
 * Decodes any audio ffmpeg understands into mono float PCM at `rate`, read from ffmpeg's stdout as
 * it comes (`-f f32le -ac 1 -ar …  pipe:1`) into a buffer that grows by doubling, so memory is the
 * decoded signal itself (~21 MB for 4 minutes) and never the compressed file or a second copy.
 */
export async function decodeMono(ffmpeg: string, inputPath: string, opts: { rate?: number; maxSeconds?: number; signal?: AbortSignal } = {}): Promise<Float32Array> {
  const rate = opts.rate ?? ANALYSIS_RATE;
  const maxSeconds = opts.maxSeconds ?? MAX_ANALYSIS_S;
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', ...inputOf(inputPath), '-vn', '-t', String(maxSeconds), '-f', 'f32le', '-ac', '1', '-ar', String(rate), 'pipe:1'];
  let bytes = new Uint8Array(rate * 4 * 30);
  let used = 0;
  const onData = (chunk: Buffer) => {
    if (used + chunk.length > bytes.length) {
      const grown = new Uint8Array(Math.max(bytes.length * 2, used + chunk.length));
      grown.set(bytes.subarray(0, used));
      bytes = grown;
    }
    bytes.set(chunk, used);
    used += chunk.length;
  };
  const { code, stderr } = await run(ffmpeg, args, { onData, signal: opts.signal });
  const detail = stderr.trim().split('\n').slice(-2).join(' | ');
  // Killed (out of memory, shut down): ours to retry, not a verdict on the file.
  if (code === null) throw new Error(`ffmpeg stopped before decoding the track: ${detail}`);
  if (code !== 0) throw new DecodeError('We could not read this audio file: it is damaged or not a format we support. Save it again as MP3 or WAV and upload that.', detail);
  const count = Math.floor(used / 4);
  if (count < rate / 2) throw new DecodeError('This audio file holds no sound we could read (it is empty or shorter than half a second). Upload a track with music in it.', detail);
  // Copy out exactly the decoded samples, aligned, and let the oversized buffer go.
  const samples = new Float32Array(count);
  new Uint8Array(samples.buffer).set(bytes.subarray(0, count * 4));
  return samples;
}
