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
    expect(t.segments).toEqual(plan.segments.map(({ inS, startS, outS, endS, transition }) => ({ inS, startS, outS, endS, transition })));
    expect(t.crossfadeS).toBe(CROSSFADE_S);
    expect(t.totalS).toBe(plan.totalS);
  });

  it('moves the later clips up when a file is shorter than planned, by the plan own rule', () => {
    const t = renderTimeline(planCuts(whole([2, 3, 2.5])), [2, 2, 2.5]);
    expect(t.segments.map((s) => s.startS)).toEqual([0, 1.7, 3.4]);
    expect(t.segments[1]!.outS).toBe(2);
    expect(t.totalS).toBe(5.9);
    // The same as planning the files' real lengths from the start.
    expect(t.segments).toEqual(planCuts(whole([2, 2, 2.5])).segments.map(({ inS, startS, outS, endS, transition }) => ({ inS, startS, outS, endS, transition })));
  });

  it('never lets a crossfade eat more than half of the shortest clip, in the player and the export alike', () => {
    const plan = planCuts(whole([2, 0.4, 2]));
    expect(plan.crossfadeS).toBe(0.2);
    expect(plan.segments.map((s) => s.startS)).toEqual([0, 1.8, 2]);
    expect(renderTimeline(plan, [2, 0.4, 2]).crossfadeS).toBe(0.2);
  });

  it('shows each clip from its trim in point, the beat cut working within the trim, and clamps a trim a shorter take cannot hold', () => {
    const plan = planCuts({
      clips: [
        { id: 'a', durationS: 5, trimInS: 1, trimOutS: 4 },
        { id: 'b', durationS: 2, trimInS: 0.5, trimOutS: 4 },
        { id: 'c', durationS: 2, trimInS: 1.8, trimOutS: 1.9 },
      ],
      beats: [1, 2, 2.5, 4],
      downbeats: [],
      musicDurationS: 10,
      cutOnBeat: true,
      mode: 'beat',
    });
    const [a, b, c] = plan.segments;
    // a: 3 s usable, natural cut at 2.85 → the beat at 2.5.
    expect(a).toMatchObject({ inS: 1, outS: 2.65, cutS: 2.5, trimInS: 1, trimOutS: 4, takeS: 5 });
    // b: its out point is clamped to its 2 s take.
    expect(b).toMatchObject({ inS: 0.5, trimOutS: 2, startS: 2.35 });
    // c: 0.1 s is too little to keep: the whole take plays.
    expect(c).toMatchObject({ inS: 0, outS: 2, trimInS: 0, trimOutS: 2 });
    // The export shows the same part of each file; a file shorter than inS + outS shortens it.
    const t = renderTimeline(plan, [5, 2, 2]);
    expect(t.segments.map((s) => [s.inS, s.outS])).toEqual(plan.segments.map((s) => [s.inS, s.outS]));
    expect(renderTimeline(plan, [3, 2, 2]).segments[0]).toMatchObject({ inS: 1, outS: 2 });
  });

  it('fades the music out over 1.5 s, or the last quarter of a short film', () => {
    expect(musicFadeOut(20)).toEqual({ startS: 18.5, durationS: 1.5 });
    expect(musicFadeOut(4)).toEqual({ startS: 3, durationS: 1 });
    expect(renderTimeline(planCuts(whole([2, 2])), [2, 2]).musicFadeOut).toEqual(musicFadeOut(3.7));
  });
});
