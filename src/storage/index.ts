import type { Config } from '../platform/config.js';
import { LocalStorage } from './local.js';
import type { Storage } from './types.js';

export type { Storage } from './types.js';
export { LocalStorage } from './local.js';

/**
 * S3 when an endpoint is configured, otherwise local disk under DATA_DIR. The S3 SDK (about 1 MB)
 * is loaded only when it is used, so a start on local disk never parses it (issue 24 item 4).
 */
export async function createStorage(config: Config): Promise<Storage> {
  if (config.S3_ENDPOINT) {
    const { S3Storage } = await import('./s3.js');
    return new S3Storage({
      endpoint: config.S3_ENDPOINT,
      publicEndpoint: config.S3_PUBLIC_ENDPOINT,
      region: config.S3_REGION,
      bucket: config.S3_BUCKET,
      accessKeyId: config.S3_ACCESS_KEY_ID!,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY!,
      defaultTtlS: config.SIGNED_URL_TTL_S,
    });
  }
  return new LocalStorage(config.DATA_DIR, config.sessionSecret, config.SIGNED_URL_TTL_S);
}

export const storageKeys = {
  image: (user: string, project: string, clip: string, ext: string) => `images/${user}/${project}/${clip}.${ext}`,
  thumb: (user: string, project: string, clip: string) => `images/${user}/${project}/${clip}.thumb.webp`,
  /** The photo before any crop (the focal point can move later). */
  source: (user: string, project: string, clip: string) => `images/${user}/${project}/${clip}.source.jpg`,
  /** The image and thumbnail cropped around a moved focal point: new keys each time, so no browser shows a stale crop. */
  recrop: (user: string, project: string, clip: string, stamp: string) => ({
    image: `images/${user}/${project}/${clip}.f${stamp}.jpg`,
    thumb: `images/${user}/${project}/${clip}.f${stamp}.thumb.webp`,
  }),
  clip: (user: string, project: string, clip: string) => `clips/${user}/${project}/${clip}.mp4`,
  music: (user: string, project: string, file: string) => `music/${user}/${project}/${file}`,
  export: (user: string, project: string, exp: string) => `exports/${user}/${project}/${exp}.mp4`,
  projectPrefixes: (user: string, project: string) =>
    ['images', 'clips', 'music', 'exports'].map((kind) => `${kind}/${user}/${project}/`),
};
