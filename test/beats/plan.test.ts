import { describe, expect, it } from 'vitest';
import { MIN_SHOWN_S, planCuts, type PlanInput } from '../../src/film/plan.js';

const FADE = 0.3;
// 120 BPM from 0.25 s for three minutes; bars start on every fourth beat from the first.
const beats = Array.from({ length: 360 }, (_, i) => 0.25 + i * 0.5);
const bars = beats.filter((_, i) => i % 4 === 0);
const lengths = [5, 4, 10, 3, 7, 5, 2, 6, 8, 5];
const clips = lengths.map((durationS, i) => ({ id: `c${i}`, durationS }));

function input(over: Partial<PlanInput> = {}): PlanInput {
  return { clips, beats, downbeats: bars, musicDurationS: 180, cutOnBeat: true, mode: 'beat', crossfadeS: FADE, ...over };
}

const onGrid = (t: number, grid: number[]) => Math.min(...grid.map((g) => Math.abs(g - t)));

function expectWellFormed(plan: ReturnType<typeof planCuts>, source = clips) {
  expect(plan.segments.map((s) => s.clipId)).toEqual(source.map((c) => c.id));
  expect(plan.segments[0]?.startS ?? 0).toBe(0);
  plan.segments.forEach((s, i) => {
    expect(s.inS).toBe(0);
    expect(s.outS).toBeLessThanOrEqual(source[i]!.durationS + 1e-9);
    expect(s.outS).toBeGreaterThanOrEqual(Math.min(MIN_SHOWN_S, source[i]!.durationS) - 1e-6);
    expect(s.endS).toBeCloseTo(s.startS + s.outS, 9);
    const next = plan.segments[i + 1];
    if (next) {
      expect(next.startS).toBeCloseTo(s.endS - plan.crossfadeS, 9);
      expect(s.cutS).toBeCloseTo(s.endS - plan.crossfadeS / 2, 5);
    } else {
      expect(s.cutS).toBeNull();
      expect(plan.totalS).toBe(s.endS);
    }
  });
}

describe('planCuts', () => {
  it('lands every cut (the crossfade midpoint) on a beat, trimming but never extending clips', () => {
    const plan = planCuts(input());
    expectWellFormed(plan);
    expect(plan.aligned).toBe(true);
    expect(plan.note).toBeUndefined();
    for (const s of plan.segments.slice(0, -1)) {
      expect(s.snappedTo).toBe('beat');
      expect(onGrid(s.cutS!, beats)).toBeLessThan(0.001);
    }
    // The last clip has no cut and is shown whole.
    expect(plan.segments.at(-1)!.outS).toBe(lengths.at(-1));
  });

  it('picks the latest beat before the natural cut (trims as little as possible)', () => {
    const plan = planCuts(input());
    plan.segments.slice(0, -1).forEach((s, i) => {
      const natural = s.startS + lengths[i]! - FADE / 2;
      expect(s.cutS!).toBeLessThanOrEqual(natural + 1e-6);
      expect(natural - s.cutS!).toBeLessThan(0.5); // one beat at 120 BPM
    });
  });

  it('lands cuts on bar starts in downbeat mode', () => {
    const plan = planCuts(input({ mode: 'downbeat', clips: clips.filter((c) => c.durationS >= 3) }));
    expectWellFormed(plan, clips.filter((c) => c.durationS >= 3));
    for (const s of plan.segments.slice(0, -1)) {
      expect(s.snappedTo).toBe('downbeat');
      expect(onGrid(s.cutS!, bars)).toBeLessThan(0.001);
      expect(Math.round((s.cutS! - 0.25) / 0.5) % 4).toBe(0);
    }
  });

  it('falls back to a beat when a clip cannot reach a bar start in downbeat mode', () => {
    // Bars 2 s apart; after a 0.25 s start a 2 s clip's window [0.85, 1.85] holds no bar start.
    const plan = planCuts(input({ mode: 'downbeat', clips: [{ id: 'a', durationS: 2 }, { id: 'b', durationS: 4 }] }));
    expect(plan.segments[0]!.snappedTo).toBe('beat');
    expect(onGrid(plan.segments[0]!.cutS!, beats)).toBeLessThan(0.001);
  });

  it('shows clips whole when cut on the beat is off or there are no beats', () => {
    for (const plan of [planCuts(input({ cutOnBeat: false })), planCuts(input({ beats: [], downbeats: [] }))]) {
      expectWellFormed(plan);
      expect(plan.aligned).toBe(false);
      expect(plan.note).toMatch(/whole/);
      plan.segments.forEach((s, i) => expect(s.outS).toBe(lengths[i]));
      expect(plan.totalS).toBeCloseTo(lengths.reduce((a, b) => a + b, 0) - FADE * (lengths.length - 1), 6);
    }
  });

  it('cuts at an even pace (the shortest clip\'s length) when the track has no clear beat', () => {
    const plan = planCuts(input({ beats: [], downbeats: [], evenCuts: true }));
    expectWellFormed(plan);
    expect(plan.aligned).toBe(false);
    expect(plan.note).toMatch(/cut evenly, every 2 s/);
    const shortest = Math.min(...lengths);
    plan.segments.slice(0, -1).forEach((s) => expect(s.outS).toBe(shortest));
    expect(plan.segments.at(-1)!.outS).toBe(lengths.at(-1));
    // Cut on the beat switched off still means whole clips.
    expect(planCuts(input({ beats: [], downbeats: [], evenCuts: true, cutOnBeat: false })).segments.map((s) => s.outS)).toEqual(lengths);
  });

  it('keeps clips whole past the end of the music and says so', () => {
    const plan = planCuts(input({ musicDurationS: 12, beats: beats.filter((b) => b < 12), downbeats: [] }));
    expectWellFormed(plan);
    const late = plan.segments.filter((s) => s.cutS !== null && s.startS > 12);
    expect(late.length).toBeGreaterThan(0);
    late.forEach((s) => expect(s.snappedTo).toBeNull());
    expect(plan.note).toMatch(/could not land on the beat/);
  });

  it('holds its rules for random clips, tempos and fades', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 80; run++) {
      const period = 60 / (60 + rnd() * 120);
      const grid = Array.from({ length: 400 }, (_, i) => rnd() * 0.3 + i * period);
      const some = Array.from({ length: 1 + Math.floor(rnd() * 12) }, (_, i) => ({ id: `r${i}`, durationS: 2 + Math.floor(rnd() * 9) }));
      const plan = planCuts({ clips: some, beats: grid, downbeats: grid.filter((_, i) => i % 4 === 1), musicDurationS: null, cutOnBeat: true, mode: rnd() < 0.5 ? 'beat' : 'downbeat', crossfadeS: rnd() * 0.5 });
      expectWellFormed(plan, some);
      for (const s of plan.segments) if (s.snappedTo) expect(onGrid(s.cutS!, grid)).toBeLessThan(0.001);
    }
  });

  it('plans nothing for no clips, and a hard cut with no crossfade', () => {
    expect(planCuts(input({ clips: [] }))).toMatchObject({ segments: [], totalS: 0 });
    const hard = planCuts(input({ crossfadeS: 0 }));
    hard.segments.slice(0, -1).forEach((s, i) => {
      expect(hard.segments[i + 1]!.startS).toBe(s.endS);
      expect(onGrid(s.endS, beats)).toBeLessThan(0.001);
    });
  });
});
