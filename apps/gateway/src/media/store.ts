import type { DataSource } from 'typeorm';
import type { PhotoContentType } from '@kz/auth';
import type { Config } from '@kz/config';
import { createServiceDataSource, openServiceDatabase } from '@kz/db';
import type { Logger } from '@kz/telemetry';
import { Media1767000000000 } from './migrations/1767000000000-media';

export const mediaMigrations = [Media1767000000000];

export interface NewPhoto {
  id: string;
  ownerPersonId: string;
  contentType: PhotoContentType;
  width: number;
  height: number;
  image: Buffer;
  thumbnail: Buffer;
  thumbnailWidth: number;
  thumbnailHeight: number;
}

/** Opens the media database (created if missing, migrated under the platform's migration lock). */
export async function openMediaDatabase(config: Config, log?: Logger): Promise<DataSource> {
  const source = createServiceDataSource({
    config: { ...config, PG_POOL_MAX: Math.min(config.PG_POOL_MAX, 4) },
    database: config.MEDIA_DATABASE,
    entities: [],
    migrations: mediaMigrations,
    log,
  });
  return openServiceDatabase(source, config);
}

/** The photo table, in plain SQL: four statements, no entity to keep in step. */
export class MediaStore {
  constructor(readonly db: DataSource) {}

  async insert(photo: NewPhoto): Promise<Date> {
    const [row] = await this.db.query(
      `INSERT INTO media (id, owner_person_id, content_type, width, height, image, thumbnail, thumbnail_width, thumbnail_height)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING created_at`,
      [photo.id, photo.ownerPersonId, photo.contentType, photo.width, photo.height, photo.image, photo.thumbnail, photo.thumbnailWidth, photo.thumbnailHeight],
    );
    return row.created_at as Date;
  }

  /** The bytes of one variant, or null when the photo is gone (swept, or never stored). */
  async bytes(id: string, variant: 'full' | 'thumb'): Promise<{ contentType: string; body: Buffer } | null> {
    const column = variant === 'full' ? 'image' : 'thumbnail';
    const [row] = await this.db.query(`SELECT content_type, ${column} AS body FROM media WHERE id = $1`, [id]);
    return row ? { contentType: row.content_type as string, body: row.body as Buffer } : null;
  }

  /**
   * Marks photos as taken by `attachedTo` (`order:12`, `serviceRecord:7`); the first taker stays recorded. Returns the
   * ids that were already taken by something else (a replayed event returns none: same taker).
   */
  async markAttached(ids: string[], attachedTo: string, at: Date): Promise<string[]> {
    await this.db.query('UPDATE media SET attached_at = $3, attached_to = $2 WHERE id = ANY($1::uuid[]) AND attached_at IS NULL', [ids, attachedTo, at]);
    const rows: { id: string }[] = await this.db.query('SELECT id FROM media WHERE id = ANY($1::uuid[]) AND attached_to <> $2', [ids, attachedTo]);
    return rows.map((row) => row.id);
  }

  /** Deletes uploads nothing took within `hours`; returns how many. */
  async sweep(hours: number): Promise<number> {
    const rows: unknown[] = await this.db.query(
      `DELETE FROM media WHERE attached_at IS NULL AND created_at < now() - make_interval(hours => $1) RETURNING id`,
      [hours],
    );
    return rows.length;
  }
}
