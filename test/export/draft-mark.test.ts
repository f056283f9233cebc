import { describe, expect, it } from 'vitest';
import { buildRender } from '../../src/export/render.js';
import { planCuts } from '../../src/film/plan.js';
import { renderTimeline } from '../../src/film/render-timeline.js';

// The real render, read back pixel by pixel, is in draft-mark.slow.test.ts.
describe('the draft mark in an export', () => {
  const wholeClips = (lengths: number[]) =>
    renderTimeline(planCuts({ clips: lengths.map((durationS, i) => ({ id: `c${i}`, durationS })), beats: [], downbeats: [], musicDurationS: null, cutOnBeat: false, mode: 'beat' }), lengths);

  it('is one still input of each piece showing a draft, overlaid on the draft clips only', () => {
    const clip = (p: string, draft = false) => ({ path: p, width: 320, height: 180, fps: 24, draft });
    const mark = { path: 'mark.png', x: 5, y: 5 };
    const plan = buildRender({ clips: [clip('a', true), clip('b'), clip('c', true)], timeline: wholeClips([2, 2, 2]), musicPath: 'song.m4a', width: 320, height: 180, frameRate: '24/1', maxKbps: 1000, output: '/tmp/o.mp4', draftMark: mark });
    const graph = (i: number) => plan.pieces[i]!.args[plan.pieces[i]!.args.indexOf('-filter_complex') + 1]!;
    // Piece 0: the draft (a) blending into b: the mark is input 2, on a only.
    expect(plan.pieces[0]!.args.filter((x) => x === 'mark.png')).toHaveLength(1);
    expect(graph(0)).toMatch(/\[ac\]\[2:v\]overlay=x=5:y=5:eof_action=repeat/);
    expect(graph(0)).not.toMatch(/\[bc\]/);
    // Piece 1: b blending into the draft c: on c's part only.
    expect(graph(1)).toMatch(/\[bc\]\[2:v\]overlay=x=5:y=5/);
    expect(graph(1)).not.toMatch(/\[ac\]/);
    // Piece 2: the draft c alone: the mark is input 1.
    expect(graph(2)).toMatch(/\[vc\]\[1:v\]overlay=x=5:y=5/);
    // Two drafts in one piece share one still, split.
    const both = buildRender({ clips: [clip('a', true), clip('b', true)], timeline: wholeClips([2, 2]), musicPath: null, width: 320, height: 180, frameRate: '24/1', maxKbps: 1000, output: '/tmp/o.mp4', draftMark: mark });
    const g = both.pieces[0]!.args[both.pieces[0]!.args.indexOf('-filter_complex') + 1]!;
    expect(g).toContain('[2:v]split=2[m0][m1];');
    expect(g).toMatch(/\[ac\]\[m0\]overlay/);
    expect(g).toMatch(/\[bc\]\[m1\]overlay/);
    // No draft, no mark.
    const plain = buildRender({ clips: [clip('a'), clip('b')], timeline: wholeClips([2, 2]), musicPath: null, width: 320, height: 180, frameRate: '24/1', maxKbps: 1000, output: '/tmp/o.mp4', draftMark: mark });
    for (const p of plain.pieces) {
      expect(p.args).not.toContain('mark.png');
      expect(p.args[p.args.indexOf('-filter_complex') + 1]).not.toContain('overlay');
    }
  });
});
