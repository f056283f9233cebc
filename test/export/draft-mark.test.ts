import { describe, expect, it } from 'vitest';
import { buildRender } from '../../src/export/render.js';

// The real render, read back pixel by pixel, is in draft-mark.slow.test.ts.
describe('the draft mark in an export', () => {
  it('is one PNG input overlaid on the draft clips only, after the music', () => {
    const clip = (p: string, draft = false) => ({ path: p, width: 320, height: 180, fps: 24, draft });
    const timeline = { segments: [0, 1, 2].map((i) => ({ clipId: `c${i}`, startS: i * 1.5, inS: 0, outS: 2, transition: null })), crossfadeS: 0.5, totalS: 5, musicFadeOut: { startS: 4, durationS: 1 } };
    const mark = { path: 'mark.png', x: 5, y: 5 };
    const plan = buildRender({ clips: [clip('a', true), clip('b'), clip('c', true)], timeline: timeline as never, musicPath: 'song.m4a', width: 320, height: 180, frameRate: '24/1', maxKbps: 1000, output: 'o.mp4', draftMark: mark });
    const graph = plan.args[plan.args.indexOf('-filter_complex') + 1]!;
    expect(graph).toContain('[4:v]split=2[m0][m2]'); // clips 0-2, the song 3, the mark 4
    expect(graph).toContain('[c0][m0]overlay=x=5:y=5');
    expect(graph).toContain('[c2][m2]overlay=x=5:y=5');
    expect(graph).not.toContain('[m1]');
    expect(plan.args.filter((a) => a === 'mark.png')).toHaveLength(1);
    // No draft, no mark.
    const plain = buildRender({ clips: [clip('a'), clip('b'), clip('c')], timeline: timeline as never, musicPath: null, width: 320, height: 180, frameRate: '24/1', maxKbps: 1000, output: 'o.mp4', draftMark: mark });
    expect(plain.args).not.toContain('mark.png');
    expect(plain.args[plain.args.indexOf('-filter_complex') + 1]).not.toContain('overlay');
  });
});
