// Photo files: the type is decided by the file's magic bytes (never by the declared header), the
// image must decode, and the file is stored content-addressed (uploads/<aa>/<sha256>) with a
// 320 px JPEG thumbnail beside it. Every check happens before anything is written, so a refused
// upload leaves nothing on disk. No HTTP here.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { fail, ok, type Result } from '../http/errors.js';

export const PHOTO_MIMES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoMime = (typeof PHOTO_MIMES)[number];
export const THUMB_PX = 320;
/** Refuse decompression bombs: more pixels than a 100-megapixel camera makes. */
const MAX_PIXELS = 100_000_000;

const startsWith = (b: Uint8Array, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);

/** The image type by magic bytes: JPEG (FF D8 FF), PNG (\x89PNG\r\n\x1a\n), WebP (RIFF….WEBP); else null. */
export function sniff(b: Uint8Array): PhotoMime | null {
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(b, [0x52, 0x49, 0x46, 0x46]) && startsWith(b, [0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return null;
}

const SHARP_FORMAT: Record<PhotoMime, string> = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' };

export interface PhotoFile {
  sha256: string;
  mime: PhotoMime;
  bytes: number;
  width: number;
  height: number;
}

export const uploadsDir = (dataDir: string) => join(dataDir, 'uploads');
export const photoPath = (dataDir: string, sha: string) => join(uploadsDir(dataDir), sha.slice(0, 2), sha);
export const thumbPath = (dataDir: string, sha: string) => `${photoPath(dataDir, sha)}.thumb.jpg`;

async function writeOnce(path: string, data: Uint8Array): Promise<void> {
  if (existsSync(path)) return; // content-addressed: the same bytes are already there
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Check an upload and store it (and its thumbnail) under DATA_DIR/uploads. */
export async function storePhoto(dataDir: string, data: Uint8Array): Promise<Result<PhotoFile>> {
  const mime = sniff(data);
  if (!mime) return fail('unsupported_media_type', 'only JPEG, PNG or WebP images (by content, not by name or header)');
  let width: number;
  let height: number;
  let thumb: Buffer;
  try {
    const img = sharp(data, { limitInputPixels: MAX_PIXELS, failOn: 'error' });
    const meta = await img.metadata();
    if (meta.format !== SHARP_FORMAT[mime] || !meta.width || !meta.height) throw new Error('format mismatch');
    width = meta.width;
    height = meta.height;
    // Decoding the whole image for the thumbnail also proves the file is not truncated.
    thumb = await img.rotate().resize(THUMB_PX, THUMB_PX, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer();
  } catch {
    return fail('invalid_request', `the ${mime} file is damaged or too large to decode`);
  }
  const sha256 = createHash('sha256').update(data).digest('hex');
  await mkdir(join(uploadsDir(dataDir), sha256.slice(0, 2)), { recursive: true });
  await writeOnce(photoPath(dataDir, sha256), data);
  await writeOnce(thumbPath(dataDir, sha256), thumb);
  return ok({ sha256, mime, bytes: data.length, width, height });
}
