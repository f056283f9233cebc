import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import { contentDisposition, type SignOptions, type Storage, type StoredObject } from './types.js';

export interface S3Options {
  endpoint: string;
  /** Where browsers reach the store, when it differs from the app's view (compose: minio vs localhost). */
  publicEndpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  defaultTtlS: number;
}

function client(endpoint: string, o: S3Options): S3Client {
  return new S3Client({
    endpoint,
    region: o.region,
    forcePathStyle: true,
    credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey },
    // Only checksum when required: MinIO, R2 and older S3-compatible servers reject the newer defaults.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export class S3Storage implements Storage {
  readonly driver = 's3' as const;
  private s3: S3Client;
  private signer: S3Client;

  constructor(private o: S3Options) {
    this.s3 = client(o.endpoint, o);
    this.signer = client(o.publicEndpoint ?? o.endpoint, o);
  }

  async put(key: string, body: Readable | Buffer, contentType: string): Promise<void> {
    // Multipart upload streams large bodies in parts; a failure aborts it, leaving no object.
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: this.o.bucket, Key: key, Body: body, ContentType: contentType },
      queueSize: 2,
      partSize: 8 * 1024 * 1024,
    });
    await upload.done();
  }

  async get(key: string): Promise<Readable> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: key }));
    return out.Body as Readable;
  }

  async size(key: string): Promise<number | null> {
    try {
      const out = await this.s3.send(new HeadObjectCommand({ Bucket: this.o.bucket, Key: key }));
      return out.ContentLength ?? null;
    } catch {
      return null;
    }
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.o.bucket, Key: key }));
  }

  async deleteMany(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      if (chunk.length === 0) continue;
      await this.s3.send(
        new DeleteObjectsCommand({
          Bucket: this.o.bucket,
          Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true },
        }),
      );
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.o.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      await this.deleteMany((page.Contents ?? []).map((c) => c.Key!).filter(Boolean));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.o.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const c of page.Contents ?? []) if (c.Key) yield { key: c.Key, size: c.Size ?? 0 };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async signedUrl(key: string, opts: SignOptions = {}): Promise<string> {
    const cmd = new GetObjectCommand({
      Bucket: this.o.bucket,
      Key: key,
      ResponseContentDisposition: opts.downloadName ? contentDisposition(opts.downloadName) : undefined,
    });
    return getSignedUrl(this.signer, cmd, { expiresIn: opts.expiresInS ?? this.o.defaultTtlS });
  }

  async check(): Promise<void> {
    await this.s3.send(new HeadBucketCommand({ Bucket: this.o.bucket }));
  }

  async ensureReady(): Promise<void> {
    try {
      await this.check();
    } catch {
      await this.s3.send(new CreateBucketCommand({ Bucket: this.o.bucket })).catch((err: { name?: string }) => {
        if (err.name !== 'BucketAlreadyOwnedByYou' && err.name !== 'BucketAlreadyExists') throw err;
      });
    }
  }

  /** The origin browsers load media from, for the Content-Security-Policy. */
  get publicOrigin(): string {
    return new URL(this.o.publicEndpoint ?? this.o.endpoint).origin;
  }

  get mediaOrigins(): string[] {
    return [this.publicOrigin];
  }

  destroy(): void {
    this.s3.destroy();
    this.signer.destroy();
  }
}
