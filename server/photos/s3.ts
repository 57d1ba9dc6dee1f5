// The S3 driver: any service that speaks the S3 API (AWS S3, MinIO, Aliyun OSS and Tencent COS in
// S3 mode, Ceph RGW …). Keys are <prefix>/<sha256> and <prefix>/<sha256>.thumb.jpg, stored with
// their content type. The server streams objects to clients itself: no presigned URLs, no
// redirects, so bucket names and credentials never leave the server.
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3StorageConfig } from '../config.js';
import { checkSha, StorageUnavailableError, THUMB_SUFFIX, type PhotoStorage, type Variant } from './storage.js';

interface AwsError { name?: string; $metadata?: { httpStatusCode?: number } }

/** "No such object". A HEAD on a missing bucket is a bare 404 too; the PUT after it then fails loudly. */
const isMissing = (e: unknown) => {
  const err = e as AwsError | null;
  return err?.name === 'NoSuchKey' || err?.name === 'NotFound' || (err?.$metadata?.httpStatusCode === 404 && err?.name !== 'NoSuchBucket');
};

export function s3Storage(cfg: S3StorageConfig): PhotoStorage {
  const client = new S3Client({
    endpoint: cfg.endpoint,
    region: cfg.region,
    forcePathStyle: cfg.forcePathStyle,
    credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey },
    // Checksums only where an operation requires one: by default newer SDKs add CRC32 checksums
    // (aws-chunked trailers on streams), which not every S3-compatible service accepts.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
  });
  const key = (sha: string, v: Variant) => `${cfg.prefix ? `${cfg.prefix}/` : ''}${checkSha(sha)}${v === 'thumb' ? THUMB_SUFFIX : ''}`;
  const call = async <T>(op: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw new StorageUnavailableError('s3', op, { cause: e });
    }
  };
  const exists = async (sha: string, v: Variant) => call('check an object', async () => {
    try {
      await client.send(new HeadObjectCommand({ Bucket: cfg.bucket, Key: key(sha, v) }));
      return true;
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
  });

  return {
    driver: 's3',
    locate: (sha, v) => `s3://${cfg.bucket}/${key(sha, v)}`,
    exists,
    async put(sha, v, data, contentType) {
      // Content-addressed: an object under this key already holds these bytes (PUT is atomic).
      if (await exists(sha, v)) return;
      await call('write an object', () => client.send(new PutObjectCommand({
        Bucket: cfg.bucket, Key: key(sha, v), Body: data, ContentType: contentType, ContentLength: data.length,
        Metadata: { sha256: sha },
      })));
    },
    async get(sha, v) {
      const out = await call('read an object', async () => {
        try {
          return await client.send(new GetObjectCommand({ Bucket: cfg.bucket, Key: key(sha, v) }));
        } catch (e) {
          if (isMissing(e)) return null;
          throw e;
        }
      });
      if (!out) return null;
      if (!(out.Body instanceof Readable) || out.ContentLength === undefined) {
        (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw new StorageUnavailableError('s3', 'read an object', { cause: new Error('no body or length in the answer') });
      }
      return { body: out.Body, contentType: out.ContentType ?? 'application/octet-stream', contentLength: out.ContentLength };
    },
    async delete(sha, v) {
      await call('delete an object', () => client.send(new DeleteObjectCommand({ Bucket: cfg.bucket, Key: key(sha, v) })));
    },
  };
}
