import { randomUUID } from 'node:crypto';
import { loadConfig } from '@kz/config';
import { DomainError } from '@kz/errors';
import { MediaSigner, Photos, UploadTicket } from './index';

const config = loadConfig({ NODE_ENV: 'test' });
const signer = new MediaSigner(config.CLAIMS_SIGNING_SECRET);
const now = Date.UTC(2026, 11, 7, 8);
const ticket = (overrides: Partial<UploadTicket> = {}): UploadTicket => ({
  id: randomUUID(),
  ownerId: 'p-7',
  width: 480,
  height: 640,
  contentType: 'image/jpeg',
  issuedAt: Math.floor(now / 1000),
  ...overrides,
});

describe('upload ids', () => {
  it('carry the photo, its size and type to the subgraph, for its uploader only', () => {
    const issued = ticket();
    const uploadId = signer.uploadId(issued);
    expect(signer.readUploadId(uploadId, 'p-7', 3600, now)).toEqual(issued);
    expect(signer.readUploadId(uploadId, 'p-8', 3600, now)).toBeNull();
  });

  it('refuse an altered payload, a foreign key, a stale id and junk', () => {
    const uploadId = signer.uploadId(ticket());
    const [payload, mac] = uploadId.split('.') as [string, string];
    const altered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), w: 1 })).toString('base64url');
    expect(signer.readUploadId(`${altered}.${mac}`, 'p-7', 3600, now)).toBeNull();
    expect(new MediaSigner('another-secret-of-at-least-32-characters').readUploadId(uploadId, 'p-7', 3600, now)).toBeNull();
    expect(signer.readUploadId(uploadId, 'p-7', 3600, now + 3601_000)).toBeNull();
    for (const junk of ['', '.', 'a.b', `${uploadId}.x`, 'x'.repeat(400)]) expect(signer.readUploadId(junk, 'p-7', 3600, now)).toBeNull();
  });
});

describe('photo links', () => {
  it('are valid for their variant until they expire; a changed character is invalid', () => {
    const id = randomUUID();
    const url = new URL(signer.signedPath(id, 'thumb', 600, now), 'http://gateway');
    const [v, exp, sig] = ['v', 'exp', 'sig'].map((name) => url.searchParams.get(name)!) as [string, string, string];
    expect(url.pathname).toBe(`/media/${id}`);
    expect(signer.checkUrl(id, v, exp, sig, now + 599_000)).toBe('ok');
    expect(signer.checkUrl(id, v, exp, sig, now + 601_000)).toBe('expired');
    expect(signer.checkUrl(id, 'full', exp, sig, now)).toBe('invalid');
    expect(signer.checkUrl(id, v, String(Number(exp) + 3600), sig, now)).toBe('invalid');
    expect(signer.checkUrl(randomUUID(), v, exp, sig, now)).toBe('invalid');
    expect(signer.checkUrl(id, v, exp, `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`, now)).toBe('invalid');
  });

  it('use a key of their own: an upload id MAC is no link signature', () => {
    const issued = ticket();
    const mac = signer.uploadId(issued).split('.')[1]!;
    expect(signer.checkUrl(issued.id, 'full', String(Math.floor(now / 1000) + 60), mac, now)).toBe('invalid');
  });
});

describe('Photos in a subgraph', () => {
  const photos = new Photos({ ...config, MEDIA_BASE_URL: 'https://api.kz.gov.cn/' });

  it('reads the caller’s upload ids and names a bad one by its index', () => {
    const mine = ticket({ ownerId: 'p-7', issuedAt: Math.floor(Date.now() / 1000) });
    expect(photos.tickets([signer.uploadId(mine)], 'p-7', 'input.photoIds').map((t) => t.id)).toEqual([mine.id]);
    try {
      photos.tickets([signer.uploadId(mine), 'junk'], 'p-7', 'input.photoIds');
      throw new Error('accepted');
    } catch (error) {
      expect((error as DomainError).extensions).toEqual({ field: 'input.photoIds.1' });
    }
    expect(() => photos.tickets([signer.uploadId(mine), signer.uploadId(mine)], 'p-7', 'input.photoIds')).toThrow(DomainError);
  });

  it('signs absolute links under MEDIA_BASE_URL', () => {
    const view = photos.view({ photoId: randomUUID(), width: 4, height: 3, contentType: 'image/png' });
    expect(view.url).toMatch(/^https:\/\/api\.kz\.gov\.cn\/media\/[0-9a-f-]{36}\?v=full&exp=\d+&sig=[A-Za-z0-9_-]{22}$/);
    expect(view.thumbnailUrl).toContain('v=thumb');
  });
});
