// Test images made on the spot with sharp (no binary fixtures), and a look at what is on disk.
import { existsSync, readdirSync } from 'node:fs';
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
