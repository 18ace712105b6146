import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Photos cross services without a call between them. The gateway stores an upload and hands the uploader a signed
 * upload id; the subgraph that attaches it (orders, volunteers) checks that signature against the caller, and later
 * signs short-lived URLs that the gateway's `GET /media/<id>` checks. Both keys are derived (HKDF) from
 * `CLAIMS_SIGNING_SECRET`, which the gateway and every subgraph already share, one key per purpose, so a signature
 * of one kind is never valid as the other.
 */
export const PHOTO_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoContentType = (typeof PHOTO_CONTENT_TYPES)[number];
export type PhotoVariant = 'full' | 'thumb';

/** What an upload id vouches for: the stored photo, its size and type, who uploaded it and when. */
export interface UploadTicket {
  /** The photo's id in the media store (a uuid). */
  id: string;
  ownerId: string;
  width: number;
  height: number;
  contentType: PhotoContentType;
  /** Unix seconds. */
  issuedAt: number;
}

export type UrlCheck = 'ok' | 'invalid' | 'expired';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'kz-practice media', purpose, 32));
}

function sameMac(expected: Buffer, given: string): boolean {
  const actual = Buffer.from(given, 'base64url');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export class MediaSigner {
  private readonly uploadKey: Buffer;
  private readonly urlKey: Buffer;

  constructor(secret: string) {
    this.uploadKey = deriveKey(secret, 'upload-id v1');
    this.urlKey = deriveKey(secret, 'media-url v1');
  }

  /** `<payload>.<mac>`: the payload is readable (base64url JSON), the MAC binds it to the uploader. */
  uploadId(ticket: UploadTicket): string {
    const payload = Buffer.from(
      JSON.stringify({ i: ticket.id, w: ticket.width, h: ticket.height, t: PHOTO_CONTENT_TYPES.indexOf(ticket.contentType), s: ticket.issuedAt }),
    ).toString('base64url');
    return `${payload}.${this.uploadMac(payload, ticket.ownerId).toString('base64url')}`;
  }

  /** The ticket of an upload id issued to `ownerId` no more than `maxAgeSeconds` ago, else null. */
  readUploadId(uploadId: string, ownerId: string, maxAgeSeconds: number, now = Date.now()): UploadTicket | null {
    const [payload, mac, extra] = uploadId.split('.');
    if (!payload || !mac || extra !== undefined || uploadId.length > 300) return null;
    if (!sameMac(this.uploadMac(payload, ownerId), mac)) return null;
    try {
      const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { i: unknown; w: unknown; h: unknown; t: unknown; s: unknown };
      const contentType = typeof data.t === 'number' ? PHOTO_CONTENT_TYPES[data.t] : undefined;
      if (typeof data.i !== 'string' || !UUID.test(data.i) || !contentType) return null;
      if (typeof data.w !== 'number' || typeof data.h !== 'number' || typeof data.s !== 'number') return null;
      if (now / 1000 - data.s > maxAgeSeconds) return null;
      return { id: data.i, ownerId, width: data.w, height: data.h, contentType, issuedAt: data.s };
    } catch {
      return null;
    }
  }

  /** `/media/<id>?v=…&exp=…&sig=…`, valid for `ttlSeconds`. */
  signedPath(id: string, variant: PhotoVariant, ttlSeconds: number, now = Date.now()): string {
    const exp = Math.floor(now / 1000) + ttlSeconds;
    const sig = this.urlMac(id, variant, String(exp)).toString('base64url');
    return `/media/${id}?v=${variant}&exp=${exp}&sig=${sig}`;
  }

  /** A tampered or foreign signature is `invalid`; a genuine one past its expiry is `expired`. */
  checkUrl(id: string, variant: string, exp: string, sig: string, now = Date.now()): UrlCheck {
    if (!UUID.test(id) || (variant !== 'full' && variant !== 'thumb') || !/^\d{1,12}$/.test(exp)) return 'invalid';
    if (!sameMac(this.urlMac(id, variant, exp), sig)) return 'invalid';
    return Number(exp) * 1000 < now ? 'expired' : 'ok';
  }

  private uploadMac(payload: string, ownerId: string): Buffer {
    return createHmac('sha256', this.uploadKey).update(`${payload}\n${ownerId}`).digest().subarray(0, 16);
  }

  private urlMac(id: string, variant: string, exp: string): Buffer {
    return createHmac('sha256', this.urlKey).update(`${id}\n${variant}\n${exp}`).digest().subarray(0, 16);
  }
}
