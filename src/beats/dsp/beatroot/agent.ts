// Ported from music-tempo 1.0.3 Agent (MIT, Copyright (c) 2017 killercrush; see LICENSE in this folder).
import type { BeatRootParams } from './params.js';

/** One beat-tracking hypothesis: a tempo and phase, the onsets it accepted as beats, and a score. */
export class Agent {
  expiryTime: number;
  toleranceWndInner: number;
  toleranceWndPre: number;
  toleranceWndPost: number;
  correctionFactor: number;
  maxChange: number;
  penaltyFactor: number;
  /** The current beat period (s). */
  beatInterval: number;
  initialBeatInterval: number;
  /** The most recent accepted beat (s). */
  beatTime: number;
  totalBeatCount = 1;
  /** Accepted beat times (s); fillBeats() inserts the missing ones between them. */
  events: number[];
  score: number;

  constructor(
    tempo: number,
    firstBeatTime: number,
    firstEventScore: number,
    private readonly agentList: Agent[],
    params: BeatRootParams = {},
  ) {
    this.expiryTime = params.expiryTime || 10;
    this.toleranceWndInner = params.toleranceWndInner || 0.04;
    this.toleranceWndPre = (params.toleranceWndPre || 0.15) * tempo;
    this.toleranceWndPost = (params.toleranceWndPost || 0.3) * tempo;
    this.correctionFactor = params.correctionFactor || 50;
    this.maxChange = params.maxChange || 0.2;
    this.penaltyFactor = params.penaltyFactor || 0.5;
    this.beatInterval = tempo;
    this.initialBeatInterval = tempo;
    this.beatTime = firstBeatTime;
    this.events = [firstBeatTime];
    this.score = firstEventScore;
  }

  /** Whether the onset at eventTime is accepted as a beat (forking a copy when it is off the prediction). */
  considerEvent(eventTime: number, eventScore: number): boolean {
    if (eventTime - this.events[this.events.length - 1]! > this.expiryTime) {
      this.score = -1;
      return false;
    }
    const beatCount = Math.round((eventTime - this.beatTime) / this.beatInterval);
    const err = eventTime - this.beatTime - beatCount * this.beatInterval;
    if (beatCount > 0 && err >= -this.toleranceWndPre && err <= this.toleranceWndPost) {
      if (Math.abs(err) > this.toleranceWndInner) this.agentList.push(this.clone());
      this.acceptEvent(eventTime, eventScore, err, beatCount);
      return true;
    }
    return false;
  }

  private acceptEvent(eventTime: number, eventScore: number, err: number, beatCount: number): void {
    this.beatTime = eventTime;
    this.events.push(eventTime);
    const corrErr = err / this.correctionFactor;
    if (Math.abs(this.initialBeatInterval - this.beatInterval - corrErr) < this.maxChange * this.initialBeatInterval) {
      this.beatInterval += corrErr;
    }
    this.totalBeatCount += beatCount;
    const errFactor = err > 0 ? err / this.toleranceWndPost : err / -this.toleranceWndPre;
    this.score += eventScore * (1 - this.penaltyFactor * errFactor);
  }

  /** Inserts beats, evenly spaced, where accepted ones are more than one interval apart. */
  fillBeats(): void {
    let prevBeat = this.events.length > 2 ? this.events[0]! : 0;
    for (let i = 0; i < this.events.length; i++) {
      const nextBeat = this.events[i]!;
      let beats = Math.round((nextBeat - prevBeat) / this.beatInterval - 0.01);
      const currentInterval = (nextBeat - prevBeat) / beats;
      let k = 0;
      for (; beats > 1; beats--) {
        prevBeat += currentInterval;
        this.events.splice(i + k, 0, prevBeat);
        k++;
      }
      prevBeat = nextBeat;
    }
  }

  private clone(): Agent {
    const copy = Object.create(Agent.prototype) as Agent;
    Object.assign(copy, this);
    copy.events = this.events.slice();
    return copy;
  }
}
