import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { decodeMono, DecodeError } from '../../src/beats/dsp/decode.js';
import { ffmpegPath, ffprobePath } from '../../src/platform/ffmpeg.js';
import { probeMedia } from '../../src/platform/media-probe.js';

// Issue 25, item 13: an ID3 header followed by an HLS playlist made ffmpeg pick its `hls`
// demuxer for a music upload, which then opened whatever the playlist named. Every ffmpeg and
// ffprobe run on such files now forces the demuxer of the sniffed type and allows only `file`.

const ID3 = Buffer.concat([Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x0a', 'latin1'), Buffer.alloc(10)]);
const playlist = (segment: string) => Buffer.from(`#EXTM3U\n#EXT-X-TARGETDURATION:3\n#EXTINF:3,\n${segment}\n#EXT-X-ENDLIST\n`);

let dir: string;
let server: http.Server;
let hits = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-crafted-'));
  // A real track beside the upload: what the playlist would smuggle in as "the song".
  await promisify(execFile)(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3', '-c:a', 'libmp3lame', path.join(dir, 'secret.mp3')]);
  await writeFile(path.join(dir, 'local.mp3'), Buffer.concat([ID3, playlist('secret.mp3')]));
  server = http.createServer((_req, res) => {
    hits++;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await writeFile(path.join(dir, 'remote.mp3'), Buffer.concat([ID3, playlist(`http://127.0.0.1:${port}/segment.mp3`)]));
});
afterAll(async () => {
  server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('an ID3 header followed by an HLS playlist', () => {
  it('is decoded as the MP3 it claims to be (and fails), never as the playlist naming another file', async () => {
    await expect(decodeMono(ffmpegPath(), path.join(dir, 'local.mp3'))).rejects.toBeInstanceOf(DecodeError);
  });

  it('is probed as an MP3: ffprobe does not follow the playlist either', async () => {
    const info = await probeMedia(ffprobePath(), path.join(dir, 'local.mp3')).catch(() => null);
    expect(info?.audioStreams ?? 0).toBe(0);
    expect(info?.formatName ?? '').not.toMatch(/hls/);
  });

  it('never reaches the network', async () => {
    await expect(decodeMono(ffmpegPath(), path.join(dir, 'remote.mp3'))).rejects.toBeInstanceOf(DecodeError);
    await probeMedia(ffprobePath(), path.join(dir, 'remote.mp3')).catch(() => null);
    expect(hits).toBe(0);
  });
});
