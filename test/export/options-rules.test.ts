import { describe, expect, it } from 'vitest';
import { coverCrop } from '../../src/export/render.js';
import { filmFrameRate, frameSize, parseExportOptions, videoMaxKbps } from '../../src/export/options.js';

// The rules behind the export options; the 1080p renders that show them in a file are in options.slow.test.ts.

describe('export option rules', () => {
  it('sizes frames by their short side, even, in the shape asked for', () => {
    expect(frameSize({ resolution: 1080, shape: 'project' }, '1280:720')).toEqual({ width: 1920, height: 1080 });
    expect(frameSize({ resolution: 1080, shape: '9:16' }, '1280:720')).toEqual({ width: 1080, height: 1920 });
    expect(frameSize({ resolution: 720, shape: '1:1' }, '1280:720')).toEqual({ width: 720, height: 720 });
    expect(frameSize({ resolution: 720, shape: 'project' }, '720:1280')).toEqual({ width: 720, height: 1280 });
    expect(frameSize({ resolution: 1080, shape: 'project' }, '1104:832')).toEqual({ width: 1434, height: 1080 });
  });

  it('caps the bitrate by size: 5 Mb/s at 720p, 8 Mb/s at 1080p, in proportion to pixels, more above 30 fps', () => {
    expect(videoMaxKbps({ width: 1280, height: 720 }, 720, 24)).toBe(5000);
    expect(videoMaxKbps({ width: 1920, height: 1080 }, 1080, 24)).toBe(8000);
    expect(videoMaxKbps({ width: 1080, height: 1920 }, 1080, 30)).toBe(8000);
    expect(videoMaxKbps({ width: 1080, height: 1080 }, 1080, 24)).toBe(4500);
    expect(videoMaxKbps({ width: 1920, height: 1080 }, 1080, 60)).toBe(12000);
  });

  it('follows the clips\' frame rate; a mix takes the rate most of the film is in', () => {
    expect(filmFrameRate([{ fps: 24, shownS: 5 }, { fps: 24, shownS: 5 }])).toEqual({ rate: '24/1', fps: 24 });
    expect(filmFrameRate([{ fps: 23.976023976, shownS: 5 }]).rate).toBe('24000/1001');
    expect(filmFrameRate([{ fps: 30, shownS: 4 }, { fps: 24, shownS: 5 }, { fps: 24, shownS: 2 }]).rate).toBe('24/1');
    expect(filmFrameRate([{ fps: 30, shownS: 9 }, { fps: 24, shownS: 5 }]).rate).toBe('30/1');
    expect(filmFrameRate([{ fps: 0, shownS: 9 }]).rate).toBe('24/1');
  });

  it('refuses unknown options with words', () => {
    expect(parseExportOptions({})).toEqual({ resolution: 1080, shape: 'project' });
    expect(parseExportOptions({ resolution: '720', shape: '9:16' })).toEqual({ resolution: 720, shape: '9:16' });
    expect(() => parseExportOptions({ resolution: '4k' })).toThrow(/Unknown resolution "4k": choose 720 or 1080/);
    expect(() => parseExportOptions({ shape: '4:3' })).toThrow(/Unknown shape "4:3"/);
  });

  it('crops around the focal point, clamped to the picture', () => {
    expect(coverCrop({ width: 1280, height: 720, focus: { x: 0.85, y: 0.5 } }, 1080, 1920)).toEqual({ sw: 3414, sh: 1920, x: 2334, y: 0 });
    expect(coverCrop({ width: 1280, height: 720, focus: { x: 0.5, y: 0.5 } }, 1080, 1920)).toEqual({ sw: 3414, sh: 1920, x: 1167, y: 0 });
    expect(coverCrop({ width: 1280, height: 720 }, 1920, 1080)).toEqual({ sw: 1920, sh: 1080, x: 0, y: 0 });
  });
});
