import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Worker } from 'bullmq';
import { Counter, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { Claims, JwtVerifier, MediaSigner } from '@kz/auth';
import type { Config } from '@kz/config';
import { BadUserInput, DomainError, Locale, NotFound, pickLocale, RateLimited, Unauthenticated } from '@kz/errors';
import { closeWorkers, createEventWorker, openQueueBackend } from '@kz/events';
import { ParsedRequest, sendError, sendJson } from '@kz/http';
import type { Logger } from '@kz/telemetry';
import type { RateLimiter } from '../rate-limit';
import { processPhoto } from './image';
import { MediaStore, openMediaDatabase } from './store';
import { readPhoto } from './upload';

export { openMediaDatabase, MediaStore, mediaMigrations } from './store';
export { sniffImageType } from './sniff';

export interface MediaOptions {
  log: Logger;
  registry: Registry;
  verifyToken: JwtVerifier;
  /** The gateway's per-caller rate limit: an upload counts as a request (re-encoding is the costliest thing a caller can ask for). */
  rateLimiter: Pick<RateLimiter, 'take'>;
}

/** Photos at the gateway: `POST /uploads`, `GET /media/<id>`, the sweep of unattached uploads, the attachment inbox. */
export interface Media {
  /** `POST /uploads`: one photo as multipart/form-data, answered with its upload id. */
  upload(request: ParsedRequest, res: ServerResponse): Promise<void>;
  /** `GET /media/<id>?v=full|thumb&exp=…&sig=…`: the bytes behind a signed URL the graph gave out. */
  serve(request: ParsedRequest, res: ServerResponse): Promise<void>;
  /** Deletes uploads nothing took in time; returns how many (also run on `MEDIA_SWEEP_SECONDS`). */
  sweep(): Promise<number>;
  db: DataSource;
  stop(): Promise<void>;
}

/** How long a refused upload may go on sending (discarded, never held) before its connection is cut. */
const REFUSED_DRAIN_MS = 5_000;

/**
 * Answers a refused upload at once, while the client may still be sending: the rest of the body is read and thrown
 * away (so the client can read the answer instead of a reset connection), for a few seconds at most.
 */
function refuse(request: ParsedRequest, res: ServerResponse, status: number, error: DomainError, locale: Locale): void {
  const { req } = request;
  sendError(res, status, error, locale);
  if (req.complete) return;
  const cut = setTimeout(() => req.socket.destroy(), REFUSED_DRAIN_MS);
  cut.unref();
  req.once('end', () => clearTimeout(cut));
  req.once('close', () => clearTimeout(cut));
  req.resume();
}

async function bearer(authorization: string | undefined, verifyToken: JwtVerifier): Promise<Claims> {
  if (!authorization) throw new Unauthenticated('required');
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(authorization);
  if (!match) throw new Unauthenticated('invalidToken');
  return verifyToken(match[1]!);
}

export async function startMedia(config: Config, options: MediaOptions): Promise<Media> {
  const { log, verifyToken } = options;
  const db = await openMediaDatabase(config, log);
  const store = new MediaStore(db);
  const signer = new MediaSigner(config.CLAIMS_SIGNING_SECRET);
  const registers = [options.registry];
  const uploads = new Counter({
    name: 'gateway_media_uploads_total',
    help: 'photo uploads by outcome (stored, or the refusal code)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const swept = new Counter({ name: 'gateway_media_swept_total', help: 'unattached uploads deleted by the sweep', registers });

  // Orders and service records say which photos they took; the first taker is recorded, a replay changes nothing.
  const backend = await openQueueBackend(config, { role: 'worker', log });
  const worker: Worker = createEventWorker({
    queue: 'media-inbox',
    connection: backend,
    prefix: config.QUEUE_PREFIX,
    log,
    concurrency: 2,
    handlers: {
      'media.photo.attached': async (event) => {
        const takenElsewhere = await store.markAttached(event.payload.photoIds, `${event.payload.ownerType}:${event.payload.ownerId}`, new Date(event.occurredAt));
        if (takenElsewhere.length > 0) log.warn({ photoIds: takenElsewhere, event: event.id }, 'photos attached to a second owner; the first keeps them');
      },
    },
  });

  async function sweep(): Promise<number> {
    const removed = await store.sweep(config.MEDIA_UNATTACHED_HOURS);
    swept.inc(removed);
    if (removed > 0) log.info({ removed }, 'unattached uploads swept');
    return removed;
  }
  const sweepTimer = setInterval(() => {
    sweep().catch((error: Error) => log.warn({ err: error.message }, 'media sweep failed'));
  }, config.MEDIA_SWEEP_SECONDS * 1000);
  sweepTimer.unref();

  return {
    db,
    sweep,
    async upload(request, res) {
      const locale = pickLocale(request.req.headers['accept-language']);
      if (request.req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        refuse(request, res, 405, new BadUserInput('file', { key: 'media.oneFile' }), locale);
        return;
      }
      let claims: Claims;
      try {
        claims = await bearer(request.req.headers.authorization, verifyToken);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        uploads.inc({ outcome: error.code });
        refuse(request, res, 401, error, locale);
        return;
      }
      const rate = await options.rateLimiter.take(`sub:${claims.sub}`);
      if (!rate.allowed) {
        uploads.inc({ outcome: 'RATE_LIMITED' });
        res.setHeader('retry-after', String(rate.retryAfterSeconds));
        refuse(request, res, 429, new RateLimited(rate.limit, rate.retryAfterSeconds), locale);
        return;
      }
      const photo = await readPhoto(request.req, config.MEDIA_MAX_BYTES);
      if (!photo.ok) {
        uploads.inc({ outcome: photo.error.code });
        refuse(request, res, photo.status, photo.error, locale);
        return;
      }
      const processed = await processPhoto(photo.data, photo.contentType).catch(() => null);
      if (!processed) {
        // The right magic number on bytes that do not decode.
        uploads.inc({ outcome: 'BAD_USER_INPUT' });
        sendError(res, 415, new BadUserInput('file', { key: 'media.unsupportedType' }), locale);
        return;
      }
      const id = randomUUID();
      const createdAt = await store.insert({ id, ownerPersonId: claims.sub, contentType: photo.contentType, ...processed });
      uploads.inc({ outcome: 'stored' });
      const uploadId = signer.uploadId({
        id,
        ownerId: claims.sub,
        width: processed.width,
        height: processed.height,
        contentType: photo.contentType,
        issuedAt: Math.floor(createdAt.getTime() / 1000),
      });
      sendJson(res, 201, {
        uploadId,
        photoId: id,
        contentType: photo.contentType,
        width: processed.width,
        height: processed.height,
        bytes: processed.image.length,
        thumbnail: { width: processed.thumbnailWidth, height: processed.thumbnailHeight, bytes: processed.thumbnail.length },
        expiresAt: new Date(createdAt.getTime() + config.MEDIA_UNATTACHED_HOURS * 3600_000).toISOString(),
      });
    },
    async serve(request, res) {
      const { req, url } = request;
      const locale = pickLocale(req.headers['accept-language']);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        sendJson(res, 405, { error: 'method not allowed' });
        return;
      }
      const id = url.pathname.slice('/media/'.length);
      const variant = url.searchParams.get('v') ?? '';
      const exp = url.searchParams.get('exp') ?? '';
      const check = signer.checkUrl(id, variant, exp, url.searchParams.get('sig') ?? '');
      if (check === 'invalid') return sendError(res, 403, new DomainError('FORBIDDEN', 'media.urlInvalid', { reason: 'urlInvalid' }), locale);
      if (check === 'expired') return sendError(res, 410, new DomainError('FORBIDDEN', 'media.urlExpired', { reason: 'urlExpired' }), locale);
      const photo = await store.bytes(id, variant as 'full' | 'thumb');
      if (!photo) return sendError(res, 404, new NotFound('Photo', id, '照片'), locale);
      const maxAge = Math.max(0, Number(exp) - Math.floor(Date.now() / 1000));
      res.writeHead(200, {
        'content-type': photo.contentType,
        'content-length': photo.body.length,
        // The URL is unique to its signature and the bytes never change: a browser or mini-program may keep them
        // until the link expires, shared caches may not (the URL is the only secret).
        'cache-control': `private, max-age=${maxAge}, immutable`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'",
      });
      res.end(req.method === 'HEAD' ? undefined : photo.body);
    },
    async stop() {
      clearInterval(sweepTimer);
      await closeWorkers([worker], backend, log);
      if (backend.redis) await backend.redis.quit().catch(() => undefined);
      await backend.close();
      await db.destroy();
    },
  };
}
