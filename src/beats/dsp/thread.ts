// The body of the analysis worker thread (see ./pool.ts): runs in its own isolate, so the
// seconds of FFT and beat tracking on a long track never hold up the process's event loop.
import { analyseSamples, type TrackAnalysis } from './analysis.js';

export interface ThreadTask {
  samples: Float32Array;
  rate: number;
}

export default function analyse({ samples, rate }: ThreadTask): Promise<TrackAnalysis> {
  return analyseSamples(samples, rate);
}
