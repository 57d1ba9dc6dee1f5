// Test images made on the spot with sharp (no binary fixtures), a look at what is on disk, and an
// in-process S3 server.
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

/** A small image of the given format; `seed` changes its pixels (and so its sha256). */
export async function testImage(format: 'jpeg' | 'png' | 'webp', seed = 0, size = 64): Promise<Buffer> {
  const img = sharp({ create: { width: size, height: Math.round(size * 0.75), channels: 3, background: { r: (seed * 37) % 256, g: (seed * 91) % 256, b: 120 } } });
  return img.toFormat(format).toBuffer();
}

/** Every file under a folder (recursively), relative paths. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

// --- An in-process S3-compatible server (s3rver) for the s3 photo storage driver ---
// It speaks the real S3 REST protocol over HTTP on 127.0.0.1 and keeps objects in a temp folder:
// no network, nothing outside `npm install`.

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  httpServer?: import('node:http').Server;
}
type S3rverCtor = new (options: {
  address: string; port: number; silent: boolean; directory: string; configureBuckets: { name: string }[];
}) => S3rverInstance;

/** s3rver's fixed credentials (it accepts any signature for a known access key). */
export const S3_TEST_KEY = 'S3RVER';

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** PHOTO_STORAGE=s3 and the S3_* variables for loadConfig. */
  env: Record<string, string>;
  client: S3Client;
  /** Every key in the bucket, sorted. */
  keys(): Promise<string[]>;
  /** An object's bytes and stored content type. */
  read(key: string): Promise<{ body: Buffer; contentType: string | undefined }>;
  stop(): Promise<void>;
}

export async function startS3(bucket = 'gc-photos'): Promise<TestS3> {
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverCtor;
  const directory = mkdtempSync(join(tmpdir(), 'gc-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: S3_TEST_KEY, secretAccessKey: S3_TEST_KEY },
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint, bucket, client,
    env: { PHOTO_STORAGE: 's3', S3_ENDPOINT: endpoint, S3_BUCKET: bucket, S3_ACCESS_KEY_ID: S3_TEST_KEY, S3_SECRET_ACCESS_KEY: S3_TEST_KEY },
    async keys() {
      const out: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
        out.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return out.sort();
    },
    async read(key) {
      const o = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { body: Buffer.from(await o.Body!.transformToByteArray()), contentType: o.ContentType };
    },
    async stop() {
      client.destroy();
      server.httpServer?.closeAllConnections();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** http://127.0.0.1:<a port nothing listens on>: an unreachable storage endpoint. */
export async function closedEndpoint(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
