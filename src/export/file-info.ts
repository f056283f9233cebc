import type { ExportFileInfo } from '../platform/db-types.js';
import { inputOf, run } from '../platform/ffmpeg.js';

interface Stream {
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  bit_rate?: string;
  channels?: number;
  sample_rate?: string;
  duration?: string;
}

/**
 * What ffprobe reads in a finished export (shown on the export page as the file's real properties);
 * null unless it holds exactly one video and one audio stream. Throws when ffprobe cannot read it.
 */
export async function probeFileInfo(ffprobe: string, file: string): Promise<ExportFileInfo | null> {
  let out = '';
  const res = await run(ffprobe, ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', ...inputOf(file, 'mp4')], { onStdout: (l) => (out += l + '\n') });
  if (res.code !== 0) throw new Error(`ffprobe could not read the export: ${res.stderr.trim().slice(-300)}`);
  const json = JSON.parse(out) as { streams?: Stream[]; format?: { duration?: string } };
  const streams = json.streams ?? [];
  const video = streams.filter((s) => s.codec_type === 'video');
  const audio = streams.filter((s) => s.codec_type === 'audio');
  if (video.length !== 1 || audio.length !== 1) return null;
  const v = video[0]!;
  const a = audio[0]!;
  const num = (x: string | number | undefined) => (Number.isFinite(Number(x)) ? Number(x) : 0);
  return {
    width: v.width ?? 0,
    height: v.height ?? 0,
    frameRate: v.avg_frame_rate && v.avg_frame_rate !== '0/0' ? v.avg_frame_rate : (v.r_frame_rate ?? '0/0'),
    frames: num(v.nb_frames),
    videoCodec: v.codec_name ?? '',
    videoProfile: v.profile ?? '',
    videoKbps: Math.round(num(v.bit_rate) / 1000),
    audioCodec: a.codec_name ?? '',
    audioChannels: a.channels ?? 0,
    audioSampleRate: num(a.sample_rate),
    durationS: num(v.duration ?? json.format?.duration),
  };
}
