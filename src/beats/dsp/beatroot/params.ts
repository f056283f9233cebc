// Ported from music-tempo 1.0.3 (MIT, Copyright (c) 2017 killercrush; see LICENSE in this folder).

/** BeatRoot's tuning; every value is optional and falls back to music-tempo's default. */
export interface BeatRootParams {
  timeStep?: number;
  decayRate?: number;
  peakFindingWindow?: number;
  meanWndMultiplier?: number;
  peakThreshold?: number;
  widthTreshold?: number;
  maxIOI?: number;
  minIOI?: number;
  maxTempos?: number;
  minBeatInterval?: number;
  maxBeatInterval?: number;
  initPeriod?: number;
  thresholdBI?: number;
  thresholdBT?: number;
  expiryTime?: number;
  toleranceWndInner?: number;
  toleranceWndPre?: number;
  toleranceWndPost?: number;
  correctionFactor?: number;
  maxChange?: number;
  penaltyFactor?: number;
}
