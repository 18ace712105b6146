import sharp, { Sharp } from 'sharp';
import type { PhotoContentType } from '@kz/auth';

/** The long edge of a thumbnail, in pixels. */
export const THUMBNAIL_EDGE = 320;
/** Decompression bombs: a 5 MB file may claim a huge canvas; sharp refuses past this many pixels. */
const MAX_INPUT_PIXELS = 50_000_000;

export interface Processed {
  image: Buffer;
  width: number;
  height: number;
  thumbnail: Buffer;
  thumbnailWidth: number;
  thumbnailHeight: number;
}

function encode(pipeline: Sharp, type: PhotoContentType): Sharp {
  if (type === 'image/png') return pipeline.png();
  if (type === 'image/webp') return pipeline.webp({ quality: 85 });
  return pipeline.jpeg({ quality: 85, mozjpeg: true });
}

/**
 * Re-encodes the photo in its own format: the EXIF orientation is applied first (`rotate()`), then the encoder
 * writes pixels only, so EXIF (GPS included), XMP, IPTC and comments are gone. sharp keeps metadata only when
 * asked (`withMetadata`), which this never does. Throws when the bytes are not a decodable image.
 */
export async function processPhoto(input: Buffer, type: PhotoContentType): Promise<Processed> {
  const source = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' });
  const full = await encode(source.clone().rotate(), type).toBuffer({ resolveWithObject: true });
  const thumb = await encode(
    source.clone().rotate().resize(THUMBNAIL_EDGE, THUMBNAIL_EDGE, { fit: 'inside', withoutEnlargement: true }),
    type,
  ).toBuffer({ resolveWithObject: true });
  return {
    image: full.data,
    width: full.info.width,
    height: full.info.height,
    thumbnail: thumb.data,
    thumbnailWidth: thumb.info.width,
    thumbnailHeight: thumb.info.height,
  };
}
