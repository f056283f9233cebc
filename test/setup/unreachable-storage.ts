import { S3Storage } from '../../src/storage/s3.js';
import type { AppContext } from '../../src/platform/context.js';
import { freePort } from './ports.js';

/**
 * The same context with its media store out of reach: the real S3 driver pointed at a loopback
 * port nothing listens on, so every read and write fails the way it does when the store is down.
 * Give it to a worker to force failures of ours.
 */
export async function withUnreachableStorage(ctx: AppContext): Promise<AppContext> {
  const port = await freePort();
  const storage = new S3Storage({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', bucket: 'unreachable', accessKeyId: 'x', secretAccessKey: 'y', defaultTtlS: 60 });
  return { ...ctx, storage };
}
