// Where photo files live: one small interface, two drivers chosen by PHOTO_STORAGE. Objects are
// content-addressed (sha256 of the original), so writing the same bytes again is the same object,
// and `put` is a no-op when the object is already there. Every backend failure other than "no such
// object" is a StorageUnavailableError, which the routes answer with 503 storage_unavailable.
//   disk: DATA_DIR/uploads/<aa>/<sha256> and <sha256>.thumb.jpg (the layout since the first upload)
//   s3:   <S3_PREFIX>/<sha256> and <S3_PREFIX>/<sha256>.thumb.jpg in S3_BUCKET (see s3.ts)
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Config } from '../config.js';
import { s3Storage } from './s3.js';
import { sniff } from './store.js';

/** The uploaded file, or its 320 px JPEG thumbnail. */
export type Variant = 'original' | 'thumb';

export interface PhotoObject {
  body: Readable;
  contentType: string;
  contentLength: number;
}

export interface PhotoStorage {
  readonly driver: 'disk' | 's3';
  /** The object's path or s3://bucket/key, for logs and tests; never sent to clients. */
  locate(sha256: string, variant: Variant): string;
  /** Store the bytes unless the object already exists (same key = same bytes). */
  put(sha256: string, variant: Variant, data: Uint8Array, contentType: string): Promise<void>;
  /** The object as a stream, or null when there is no such object. */
  get(sha256: string, variant: Variant): Promise<PhotoObject | null>;
  exists(sha256: string, variant: Variant): Promise<boolean>;
  /** Remove the object (no error when it is already gone). */
  delete(sha256: string, variant: Variant): Promise<void>;
}

/** The storage backend failed (unreachable, refused, full, misconfigured): not the client's fault. */
export class StorageUnavailableError extends Error {
  constructor(readonly driver: PhotoStorage['driver'], readonly op: string, options: { cause: unknown }) {
    const why = options.cause instanceof Error ? `${options.cause.name}: ${options.cause.message}` : String(options.cause);
    super(`photo storage (${driver}) failed to ${op}: ${why}`, options);
    this.name = 'StorageUnavailableError';
  }
}

export const THUMB_SUFFIX = '.thumb.jpg';
const SHA256 = /^[0-9a-f]{64}$/;
/** Keys are built from a sha256 only; anything else is a bug, never a path to follow. */
export function checkSha(sha256: string): string {
  if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${JSON.stringify(sha256)}`);
  return sha256;
}

export const uploadsDir = (dataDir: string) => join(dataDir, 'uploads');
export const photoPath = (dataDir: string, sha: string) => join(uploadsDir(dataDir), checkSha(sha).slice(0, 2), sha);
export const thumbPath = (dataDir: string, sha: string) => `${photoPath(dataDir, sha)}${THUMB_SUFFIX}`;

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException | null)?.code === 'ENOENT';

/** Today's layout under DATA_DIR/uploads; files are written to a temp name and renamed into place. */
export function diskStorage(dataDir: string): PhotoStorage {
  const path = (sha: string, v: Variant) => (v === 'original' ? photoPath(dataDir, sha) : thumbPath(dataDir, sha));
  const guard = async <T>(op: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw new StorageUnavailableError('disk', op, { cause: e });
    }
  };
  const exists = (sha: string, v: Variant) => guard('check a file', async () => {
    try {
      return (await stat(path(sha, v))).isFile();
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
  });
  return {
    driver: 'disk',
    locate: path,
    exists,
    async put(sha, v, data) {
      if (await exists(sha, v)) return;
      const target = path(sha, v);
      await guard('write a file', async () => {
        await mkdir(dirname(target), { recursive: true });
        const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
        try {
          await writeFile(tmp, data);
          await rename(tmp, target);
        } finally {
          await rm(tmp, { force: true });
        }
      });
    },
    async get(sha, v) {
      const file = path(sha, v);
      const fh = await guard('open a file', async () => {
        try {
          return await open(file, 'r');
        } catch (e) {
          if (isMissing(e)) return null;
          throw e;
        }
      });
      if (!fh) return null;
      try {
        const { size } = await fh.stat();
        // The type was checked by its magic bytes at upload; a thumbnail is always JPEG.
        let contentType = 'image/jpeg';
        if (v === 'original') {
          const head = new Uint8Array(16);
          await fh.read(head, 0, head.length, 0);
          contentType = sniff(head) ?? 'application/octet-stream';
        }
        return { body: fh.createReadStream({ start: 0, autoClose: true }), contentType, contentLength: size };
      } catch (e) {
        await fh.close().catch(() => undefined);
        throw new StorageUnavailableError('disk', 'read a file', { cause: e });
      }
    },
    async delete(sha, v) {
      await guard('delete a file', () => rm(path(sha, v), { force: true }));
    },
  };
}

/** The driver PHOTO_STORAGE names. */
export function createPhotoStorage(config: Pick<Config, 'dataDir' | 'photoStorage'>): PhotoStorage {
  return config.photoStorage.driver === 's3' ? s3Storage(config.photoStorage) : diskStorage(config.dataDir);
}
