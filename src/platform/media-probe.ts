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
}

interface ProbeJson {
  streams?: Array<{ codec_type?: string; width?: number; height?: number; duration?: string }>;
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
  };
}
