import type { TrackAnalysis } from './analysis.js';
import { ANALYSIS_RATE, decodeMono } from './decode.js';
import { analyseInThread } from './pool.js';

/**
 * Decodes an audio file with ffmpeg and analyses it. Decoding is ffmpeg's work (a child process,
 * read as it streams); the analysis runs on the pool's thread. Throws DecodeError for unreadable files.
 */
export async function analyseFile(ffmpeg: string, path: string, signal?: AbortSignal): Promise<TrackAnalysis> {
  const samples = await decodeMono(ffmpeg, path, { rate: ANALYSIS_RATE, signal });
  return analyseInThread(samples, ANALYSIS_RATE);
}
