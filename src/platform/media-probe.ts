import { inputOf, run } from './ffmpeg.js';

// Used by generation (a stored clip's length) and export (every input and the output).

export interface MediaInfo {
  durationS: number;
  /** The first video stream's size; 0 when there is none. */
  width: number;
  height: number;
  videoStreams: number;
  audioStreams: number;
  formatName: string;
  /** The first video stream's frame rate: ffprobe's fraction ("24/1", "30000/1001") and its value; "0/0" and 0 when unknown. */
  frameRate: string;
  fps: number;
}

/** The value of an ffprobe rate like "30000/1001"; 0 when it is not a usable rate. */
export function rateValue(rate: string | undefined): number {
  const m = /^(\d+)(?:\/(\d+))?$/.exec(rate ?? '');
  if (!m) return 0;
  const v = Number(m[1]) / Number(m[2] ?? 1);
  return Number.isFinite(v) && v > 0 ? v : 0;
}

interface ProbeJson {
  streams?: Array<{ codec_type?: string; width?: number; height?: number; duration?: string; avg_frame_rate?: string; r_frame_rate?: string }>;
  format?: { duration?: string; format_name?: string };
}

/** Reads a media file's streams and duration with ffprobe; throws when the file is not media. */
export async function probeMedia(ffprobe: string, file: string): Promise<MediaInfo> {
  let out = '';
  const res = await run(ffprobe, ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', ...inputOf(file)], {
    onStdout: (line) => {
      out += line + '\n';
    },
  });
  let json: ProbeJson;
  try {
    json = JSON.parse(out) as ProbeJson;
  } catch {
    throw new Error(`ffprobe could not read ${file}: ${res.stderr.trim().slice(-300)}`);
  }
  if (res.code !== 0 || !json.format) throw new Error(`ffprobe could not read ${file}: ${res.stderr.trim().slice(-300)}`);
  const streams = json.streams ?? [];
  const video = streams.filter((s) => s.codec_type === 'video');
  const first = video[0];
  // The video stream's own duration is what the frames span; the container's may include audio tails.
  const duration = Number(first?.duration ?? json.format.duration);
  return {
    durationS: Number.isFinite(duration) ? duration : Number(json.format.duration ?? 0) || 0,
    width: first?.width ?? 0,
    height: first?.height ?? 0,
    videoStreams: video.length,
    audioStreams: streams.filter((s) => s.codec_type === 'audio').length,
    formatName: json.format.format_name ?? '',
    // The average rate is what the frames really do; r_frame_rate is the container's guess (a fallback).
    ...frameRateOf(first),
  };
}

function frameRateOf(stream: { avg_frame_rate?: string; r_frame_rate?: string } | undefined): { frameRate: string; fps: number } {
  for (const rate of [stream?.avg_frame_rate, stream?.r_frame_rate]) {
    const fps = rateValue(rate);
    if (fps > 0 && fps <= 240) return { frameRate: rate!, fps };
  }
  return { frameRate: '0/0', fps: 0 };
}
