// Photo files: the type is decided by the file's magic bytes (never by the declared header), the
// image must decode, and the file is stored content-addressed (key = its sha256) with a 320 px JPEG
// thumbnail, on disk or in object storage (storage.ts). Every check happens before anything is
// written, so a refused upload leaves nothing stored. No HTTP here.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { fail, ok, type Result } from '../http/errors.js';
import type { PhotoStorage } from './storage.js';

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

/** An upload that passed every check, with its thumbnail; nothing is stored yet. */
export interface PreparedPhoto {
  file: PhotoFile;
  data: Uint8Array;
  thumb: Buffer;
}

/** Check an upload (type by content, decodes, not a decompression bomb) and make its thumbnail. */
export async function preparePhoto(data: Uint8Array): Promise<Result<PreparedPhoto>> {
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
  return ok({ file: { sha256, mime, bytes: data.length, width, height }, data, thumb });
}

/**
 * Store a checked photo: the original first, then its thumbnail. Both writes are idempotent, so a
 * retry after a failure half way finishes the job. Throws StorageUnavailableError when the backend
 * fails; the caller writes its database row only after this resolved, so a row never points to a
 * missing object.
 */
export async function storePrepared(storage: PhotoStorage, p: PreparedPhoto): Promise<PhotoFile> {
  await storage.put(p.file.sha256, 'original', p.data, p.file.mime);
  await storage.put(p.file.sha256, 'thumb', p.thumb, 'image/jpeg');
  return p.file;
}
