import { describe, expect, it } from 'vitest';
import { CROSSFADE_S, planCuts, type PlanInput } from '../../src/film/plan.js';
import { renderTimeline } from '../../src/film/render-timeline.js';
import { musicFadeOut } from '../../src/film/timeline.js';

const whole = (lengths: number[]): PlanInput => ({
  clips: lengths.map((durationS, i) => ({ id: `c${i}`, durationS })),
  beats: [],
  downbeats: [],
  musicDurationS: null,
  cutOnBeat: false,
  mode: 'beat',
});

describe('the film timeline (src/film)', () => {
  it('gives the export the plan as it is when every file holds what the plan shows', () => {
    const plan = planCuts(whole([2, 3, 2.5]));
    const t = renderTimeline(plan, [2.01, 3, 2.6]);
    expect(t.segments).toEqual(plan.segments.map(({ startS, outS, endS, transition }) => ({ startS, outS, endS, transition })));
    expect(t.crossfadeS).toBe(CROSSFADE_S);
    expect(t.totalS).toBe(plan.totalS);
  });

  it('moves the later clips up when a file is shorter than planned, by the plan own rule', () => {
    const t = renderTimeline(planCuts(whole([2, 3, 2.5])), [2, 2, 2.5]);
    expect(t.segments.map((s) => s.startS)).toEqual([0, 1.7, 3.4]);
    expect(t.segments[1]!.outS).toBe(2);
    expect(t.totalS).toBe(5.9);
    // The same as planning the files' real lengths from the start.
    expect(t.segments).toEqual(planCuts(whole([2, 2, 2.5])).segments.map(({ startS, outS, endS, transition }) => ({ startS, outS, endS, transition })));
  });

  it('never lets a crossfade eat more than half of the shortest clip, in the player and the export alike', () => {
    const plan = planCuts(whole([2, 0.4, 2]));
    expect(plan.crossfadeS).toBe(0.2);
    expect(plan.segments.map((s) => s.startS)).toEqual([0, 1.8, 2]);
    expect(renderTimeline(plan, [2, 0.4, 2]).crossfadeS).toBe(0.2);
  });

  it('fades the music out over 1.5 s, or the last quarter of a short film', () => {
    expect(musicFadeOut(20)).toEqual({ startS: 18.5, durationS: 1.5 });
    expect(musicFadeOut(4)).toEqual({ startS: 3, durationS: 1 });
    expect(renderTimeline(planCuts(whole([2, 2])), [2, 2]).musicFadeOut).toEqual(musicFadeOut(3.7));
  });
});
