import { inputOf, run } from '../platform/ffmpeg.js';
import { fileTypeFromFile } from 'file-type';
import { stat } from 'node:fs/promises';
import { UserError } from '../platform/errors.js';

export interface AudioInfo {
  ext: string;
  contentType: string;
  durationS: number;
  /** "Artist – Title" from the tags, else the file name without its extension. */
  name: string;
}

/** file-type's mime → what we store it as. An .mp4 is accepted only when it holds audio alone. */
const ACCEPTED: Record<string, { ext: string; contentType: string }> = {
  'audio/mpeg': { ext: 'mp3', contentType: 'audio/mpeg' },
  'audio/x-m4a': { ext: 'm4a', contentType: 'audio/mp4' },
  'audio/mp4': { ext: 'm4a', contentType: 'audio/mp4' },
  'video/mp4': { ext: 'm4a', contentType: 'audio/mp4' },
  'audio/aac': { ext: 'aac', contentType: 'audio/aac' },
  'audio/wav': { ext: 'wav', contentType: 'audio/wav' },
  'audio/vnd.wave': { ext: 'wav', contentType: 'audio/wav' },
  'audio/ogg': { ext: 'ogg', contentType: 'audio/ogg' },
  'audio/ogg; codecs=opus': { ext: 'ogg', contentType: 'audio/ogg' },
};

const ACCEPTED_NAMES = 'MP3, M4A/AAC, WAV or OGG';

function refuse(message: string, status = 400): UserError {
  return new UserError(message, status, 'bad_audio');
}

function displayName(filename: string, artist?: string, title?: string): string {
  const fromTags = title ? (artist ? `${artist} – ${title}` : title) : '';
  const fromFile = filename.replace(/\.[a-z0-9]{1,5}$/i, '');
  const name = (fromTags || fromFile).replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return name.slice(0, 200) || 'Music';
}

/** Decides the type by the bytes and reads the duration; refuses anything else with a clear 4xx. */
export async function inspectAudio(ffmpeg: string, file: string, filename: string): Promise<AudioInfo> {
  const size = (await stat(file)).size;
  if (size === 0) throw refuse('The file is empty. Choose a song and try again.');
  const type = await fileTypeFromFile(file);
  const accepted = type && ACCEPTED[type.mime];
  if (!accepted) {
    const what = type ? `a .${type.ext} file` : 'not an audio file we can read';
    throw refuse(`That file is ${what}. Upload an ${ACCEPTED_NAMES} track.`, 415);
  }
  let parsed;
  try {
    // Loaded on first use: a start need not parse it (cold start, issue 24 item 4).
    const { parseFile } = await import('music-metadata');
    parsed = await parseFile(file, { duration: true, skipCovers: true });
  } catch {
    throw refuse('That track is damaged and cannot be read. Try exporting it again.');
  }
  const { format, common } = parsed;
  const duration = format.duration;
  if (!format.hasAudio || format.hasVideo || !duration || !Number.isFinite(duration) || duration <= 0) {
    throw refuse(`We could not find any sound in that file. Upload an ${ACCEPTED_NAMES} track.`);
  }
  // An MP3 cut short still has a header announcing its full length: compare with what arrived.
  if (accepted.ext === 'mp3' && format.bitrate && (duration * format.bitrate) / 8 > size * 3) {
    throw refuse('That track is incomplete (it may not have finished downloading). Try another copy.');
  }
  // Its tags can be fine while its sound is not: decode the first seconds, as the player will.
  const decoded = await run(ffmpeg, ['-v', 'error', '-xerror', '-t', '3', ...inputOf(file, accepted.ext), '-f', 'null', '-']);
  if (decoded.code !== 0) throw refuse('That track is damaged and cannot be played. Try exporting it again.');
  return { ...accepted, durationS: duration, name: displayName(filename, common.artist, common.title) };
}
