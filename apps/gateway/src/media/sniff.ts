import type { PhotoContentType } from '@kz/auth';

/** Bytes needed to tell the formats apart. */
export const SNIFF_BYTES = 12;

/**
 * The image type from the file's first bytes (its magic number), never from its name or declared type: JPEG
 * `FF D8 FF`, PNG `89 'PNG' 0D 0A 1A 0A`, WebP `'RIFF' <size> 'WEBP'`. Anything else is null.
 */
export function sniffImageType(head: Buffer): PhotoContentType | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return null;
}
