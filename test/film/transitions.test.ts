import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { planCuts, type PlanInput } from '../../src/film/plan.js';
import { renderTimeline } from '../../src/film/render-timeline.js';
import { beatLengthS } from '../../src/transitions/kinds.js';
import { buildRender, runRender } from '../../src/export/render.js';
import { ffmpegPath, run } from '../../src/platform/ffmpeg.js';
import { makeClipFile } from '../factories/export-media.js';

const input = (clips: PlanInput['clips'], extra: Partial<PlanInput> = {}): PlanInput => ({ clips, beats: [], downbeats: [], musicDurationS: null, cutOnBeat: false, mode: 'beat', ...extra });

describe('transitions per cut in the film plan', () => {
  it('gives each cut its own kind and length; the overlap is its length and the cut its midpoint', () => {
    const plan = planCuts(input([
      { id: 'a', durationS: 3, transition: { kind: 'cut' } },
      { id: 'b', durationS: 3, transition: { kind: 'dip', s: 1 } },
      { id: 'c', durationS: 3, transition: { kind: 'flash' } },
      { id: 'd', durationS: 3 },
    ]));
    expect(plan.segments.map((s) => s.transition)).toEqual([
      { kind: 'cut', s: 0 },
      { kind: 'dip', s: 1 },
      { kind: 'flash', s: 0.4 },
      { kind: 'cut', s: 0 },
    ]);
    expect(plan.segments.map((s) => s.startS)).toEqual([0, 3, 5, 7.6]);
    expect(plan.segments.map((s) => s.cutS)).toEqual([3, 5.5, 7.8, null]);
    expect(plan.totalS).toBe(10.6);
  });

  it('measures lengths in beats by the music, caps a transition at half the shorter clip, and leaves clips without one as they were', () => {
    const beats = Array.from({ length: 40 }, (_, i) => i * 0.5);
    expect(beatLengthS(beats)).toBe(0.5);
    const plan = planCuts(input([
      { id: 'a', durationS: 4, transition: { kind: 'crossfade', beats: 2 } },
      { id: 'b', durationS: 1.2, transition: { kind: 'dip', s: 5 } },
      { id: 'c', durationS: 4 },
    ], { beats }));
    expect(plan.segments[0]!.transition).toEqual({ kind: 'crossfade', s: 0.6 }); // 2 beats = 1 s, capped at 1.2 / 2
    expect(plan.segments[1]!.transition).toEqual({ kind: 'dip', s: 0.6 });
    const plain = planCuts(input([{ id: 'a', durationS: 3 }, { id: 'b', durationS: 3 }]));
    expect(plain.segments[0]!.transition).toEqual({ kind: 'crossfade', s: 0.3 });
    expect(plain.segments[1]!.startS).toBe(2.7);
  });
});

describe('transitions in the export', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-transitions-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The mean brightness (0–255) of the output's frame at `t`. */
  async function brightnessAt(file: string, t: number): Promise<number> {
    const out = path.join(dir, `f-${t}.gray`);
    const res = await run(ffmpegPath(), ['-hide_banner', '-y', '-ss', t.toFixed(3), '-i', file, '-frames:v', '1', '-vf', 'scale=8:8,format=gray', '-f', 'rawvideo', out]);
    expect(res.code).toBe(0);
    const px = await readFile(out);
    return px.reduce((a, b) => a + b, 0) / px.length;
  }

  it('draws each kind with the matching xfade (a cut joins two pieces), at the plan\'s times: black at a dip\'s middle, white at a flash\'s', async () => {
    const files = await Promise.all([0, 1, 2, 3].map(() => makeClipFile(dir, { width: 160, height: 90, durationS: 2 })));
    const plan = planCuts(input([
      { id: 'a', durationS: 2, transition: { kind: 'cut' } },
      { id: 'b', durationS: 2, transition: { kind: 'dip', s: 0.8 } },
      { id: 'c', durationS: 2, transition: { kind: 'flash', s: 0.8 } },
      { id: 'd', durationS: 2 },
    ]));
    const timeline = renderTimeline(plan, [2, 2, 2, 2]);
    const output = path.join(dir, 'out.mp4');
    const render = buildRender({ clips: files.map((p) => ({ path: p, width: 160, height: 90, fps: 24 })), timeline, musicPath: null, width: 160, height: 90, frameRate: '24/1', maxKbps: 1000, output, preset: 'ultrafast' });
    const graphs = render.pieces.map((p) => p.args[p.args.indexOf('-filter_complex') + 1]!);
    // Piece i holds clip i and the transition out of it; film frames at 24 fps (times from the plan: 2.0, 3.2, 4.4).
    expect(graphs[0]).not.toContain('xfade'); // a cut: the next piece starts there
    expect(graphs[1]).toContain('xfade=transition=fadeblack:duration=0.791667:offset=1.208333'); // from 2.0 s: at 3.2 s, 19 frames
    expect(graphs[2]).toContain('xfade=transition=fadewhite:duration=0.791667:offset=0.416667'); // from 4.0 s: at 4.4 s
    await runRender(ffmpegPath(), render);
    const dipMiddle = plan.segments[1]!.cutS!;
    const flashMiddle = plan.segments[2]!.cutS!;
    expect(dipMiddle).toBe(3.6);
    expect(flashMiddle).toBe(4.8);
    const normal = await brightnessAt(output, 1);
    expect(await brightnessAt(output, dipMiddle)).toBeLessThan(normal / 3);
    expect(await brightnessAt(output, flashMiddle)).toBeGreaterThan(Math.min(230, normal * 1.6));
  }, 120_000);
});
