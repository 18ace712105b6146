import type { Config } from '@kz/config';
import { BadUserInput } from '@kz/errors';
import { MediaSigner, PhotoContentType, UploadTicket } from './media-signing';

export type PhotoConfig = Pick<Config, 'CLAIMS_SIGNING_SECRET' | 'MEDIA_URL_TTL_SECONDS' | 'MEDIA_BASE_URL' | 'MEDIA_UNATTACHED_HOURS'>;

/** A photo as the graph serves it (`type Photo`). */
export interface PhotoView {
  id: string;
  url: string;
  thumbnailUrl: string;
  width: number;
  height: number;
  contentType: string;
}

/** What a subgraph keeps of a photo it took: the ids and sizes from the upload id. */
export interface StoredPhoto {
  photoId: string;
  width: number;
  height: number;
  contentType: PhotoContentType | string;
}

const signers = new Map<string, MediaSigner>();

/**
 * Photos in a subgraph that owns orders or records: upload ids in (checked against the caller, with no call to the
 * gateway), signed URLs out. Only resolvers of records the caller may read ask for URLs, so the signature is the
 * read permission, for `MEDIA_URL_TTL_SECONDS`.
 */
export class Photos {
  private readonly signer: MediaSigner;

  constructor(private readonly config: PhotoConfig) {
    let signer = signers.get(config.CLAIMS_SIGNING_SECRET);
    if (!signer) signers.set(config.CLAIMS_SIGNING_SECRET, (signer = new MediaSigner(config.CLAIMS_SIGNING_SECRET)));
    this.signer = signer;
  }

  /**
   * The uploads behind `uploadIds`, each issued to `ownerId` recently enough that the gateway's sweep has not taken it
   * (an hour of margin for the attachment event to arrive). A bad, foreign or stale id is BAD_USER_INPUT naming it.
   */
  tickets(uploadIds: readonly string[] | null | undefined, ownerId: string, field: string, now = Date.now()): UploadTicket[] {
    const hours = this.config.MEDIA_UNATTACHED_HOURS;
    const maxAge = Math.max(hours * 3600 - 3600, hours * 1800);
    const seen = new Set<string>();
    return (uploadIds ?? []).map((uploadId, index) => {
      const ticket = this.signer.readUploadId(uploadId, ownerId, maxAge, now);
      if (!ticket || seen.has(ticket.id)) throw new BadUserInput(`${field}.${index}`, { key: 'media.uploadId' });
      seen.add(ticket.id);
      return ticket;
    });
  }

  view(photo: StoredPhoto, now = Date.now()): PhotoView {
    const base = this.config.MEDIA_BASE_URL?.replace(/\/$/, '') ?? '';
    const ttl = this.config.MEDIA_URL_TTL_SECONDS;
    return {
      id: photo.photoId,
      url: base + this.signer.signedPath(photo.photoId, 'full', ttl, now),
      thumbnailUrl: base + this.signer.signedPath(photo.photoId, 'thumb', ttl, now),
      width: photo.width,
      height: photo.height,
      contentType: photo.contentType,
    };
  }
}
