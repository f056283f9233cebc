// music-tempo ships no types. These are the documented classes we use (its docs/class pages):
// the BeatRoot steps MusicTempo chains, called one by one so we can feed our faster onset function.
declare module 'music-tempo/dist/node/OnsetDetection.js' {
  const OnsetDetection: {
    normalize(data: number[]): void;
    /** Indexes of onset peaks; throws (a string) when fewer than two are found. */
    findPeaks(spectralFlux: number[], params?: Record<string, number>): number[];
  };
  export = OnsetDetection;
}
declare module 'music-tempo/dist/node/TempoInduction.js' {
  interface Clusters {
    clIntervals: number[];
    clSizes: number[];
  }
  const TempoInduction: {
    processRhythmicEvents(events: number[], params?: Record<string, number>): Clusters;
    mergeClusters(clusters: Clusters, params?: Record<string, number>): Clusters;
    calculateScore(clusters: Clusters, params?: Record<string, number>): { clScores: number[]; clScoresIdxs: number[] };
    /** Beat-interval hypotheses (seconds), best first. */
    createTempoList(clusters: Clusters & { clScores: number[]; clScoresIdxs: number[] }, params?: Record<string, number>): number[];
  };
  export = TempoInduction;
}
declare module 'music-tempo/dist/node/BeatTracking.js' {
  interface Agent {
    score: number;
    beatInterval: number;
    /** Accepted beat times (s); fillBeats() inserts the missing ones between them. */
    events: number[];
    fillBeats(): void;
  }
  const BeatTracking: {
    trackBeat(events: number[], eventsScores: number[], tempoList: number[], params?: Record<string, number>): Agent[];
  };
  export = BeatTracking;
}
