import { request as httpRequest } from 'node:http';
import { Client } from 'pg';
import sharp from 'sharp';
import { MediaSigner, type PhotoView } from '@kz/auth';
import { pgClientConfig } from '@kz/db';
import { eventually } from '@kz/testing';
import { Platform, startPlatform } from './stack';

/**
 * Photos on orders: a resident uploads to the gateway as `wx.uploadFile` or a browser's FormData does, places an order
 * with the upload id, and the graph hands out short-lived signed links to those who may read the order. Uploads are
 * sniffed, capped while streaming, stripped of their metadata; unattached ones are swept.
 */
let platform: Platform;
let base: string;
let media: Client;
const tokens: Record<string, string> = {};
let heYiVolunteer: string;

const PHOTO_FIELDS = 'id url thumbnailUrl width height contentType';

interface Uploaded {
  uploadId: string;
  photoId: string;
  contentType: string;
  width: number;
  height: number;
  bytes: number;
  thumbnail: { width: number; height: number; bytes: number };
}

/** A 640×480 JPEG taken "sideways" (EXIF orientation 6) with a GPS position in it, as a phone camera writes it. */
async function phoneJpeg(): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 60, b: 40 } } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Make: 'KZPhone', Model: 'Test 1' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '31/1 10/1 48/1', GPSLongitudeRef: 'E', GPSLongitude: '108/1 24/1 36/1' },
    })
    .toBuffer();
}

/** The GPS IFD pointer tag (0x8825), in either byte order: present when the EXIF block holds a GPS position. */
const hasGps = (exif: Buffer | undefined) => !!exif && (exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88])));

/** `POST /uploads` as a browser page does it: FormData with one file. */
async function upload(token: string | null, bytes: Buffer, name = 'photo.jpg', type = 'image/jpeg', headers: Record<string, string> = {}) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
  const response = await fetch(`${base}/uploads`, {
    method: 'POST',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: form,
  });
  return { status: response.status, body: (await response.json()) as Uploaded & { errors?: { message: string; extensions: Record<string, unknown> }[] } };
}

async function uploaded(token: string, bytes?: Buffer): Promise<Uploaded> {
  const result = await upload(token, bytes ?? (await phoneJpeg()));
  if (result.status !== 201) throw new Error(`upload failed: ${JSON.stringify(result.body)}`);
  return result.body;
}

async function ok<T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const result = await platform.query<T>(query, variables, { token });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!;
}

const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id photoList { ${PHOTO_FIELDS} } } }`;
const READ = `query($id: ID!) { order(id: $id) { id photoList { ${PHOTO_FIELDS} } } }`;

async function place(token: string, photoIds: string[]) {
  return platform.query<{ placeOrder: { id: string; photoList: PhotoView[] } }>(
    PLACE,
    { input: { title: '楼道扶手松动', category: 'SAFETY_FACILITIES', channel: 'MINI_PROGRAM', photoIds } },
    { token },
  );
}

/** Sends a body of `total` bytes in paced chunks (as a phone on a slow link would) and notes how much was sent when the answer came. */
function streamUpload(token: string, total: number): Promise<{ status: number; body: string; sentWhenAnswered: number }> {
  const boundary = `kz${Date.now()}`;
  const url = new URL(`${base}/uploads`);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      path: '/uploads',
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` }, // chunked: no length to refuse on
    });
    req.on('response', (res) => {
      answered = true;
      const sentWhenAnswered = sent;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8'), sentWhenAnswered });
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
    req.write(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]));
    // Each chunk once the previous one is flushed; past the limit the client holds the rest back and waits for the
    // answer, so a gateway that read the whole body before answering would never answer (the test's timeout).
    const chunk = Buffer.alloc(256 * 1024, 0x55);
    const holdBackAfter = 5 * 1024 * 1024 + chunk.length;
    const pump = () => {
      if (answered || sent >= holdBackAfter) return;
      if (sent >= total) {
        req.end(`\r\n--${boundary}--\r\n`);
        return;
      }
      sent += chunk.length;
      req.write(chunk, pump);
    };
    pump();
  });
}

async function fetchPhoto(path: string) {
  const response = await fetch(path.startsWith('http') ? path : `${base}${path}`);
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  base = platform.gatewayUrl.replace(/\/graphql$/, '');
  media = new Client(pgClientConfig(platform.config, platform.config.MEDIA_DATABASE));
  await media.connect();
  const personId = async (phone: string) => (await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [phone]))[0].id as string;
  tokens.zhou = await platform.tokenAs('RESIDENT', undefined, await personId('13900230008'));
  tokens.otherResident = await platform.tokenAs('RESIDENT', undefined, 'p-someone-else');
  tokens.dispatcher = await platform.tokenAs('DISPATCHER', 'KZ', await personId('13900230002'));
  tokens.stationAdmin = await platform.tokenAs('STATION_ADMIN', 'KZ-HANFENG-YINGBIN', await personId('13900230005'));
  tokens.otherStationAdmin = await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN');
  [{ id: heYiVolunteer }] = await platform.volunteers.query(
    'SELECT v.id::text FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = $1',
    ['13900230007'],
  );
});
afterAll(async () => {
  await media?.end();
  await platform?.stop();
});

describe('uploading a photo', () => {
  it('strips the GPS position and every other metadata, applying the orientation first, and makes a thumbnail', async () => {
    const original = await phoneJpeg();
    const before = await sharp(original).metadata();
    expect(hasGps(before.exif)).toBe(true);
    expect([before.width, before.height, before.orientation]).toEqual([640, 480, 6]);

    const photo = await uploaded(tokens.zhou!, original);
    // Orientation 6 is a quarter turn: the stored photo stands upright, with no EXIF left to say so.
    expect(photo).toMatchObject({ contentType: 'image/jpeg', width: 480, height: 640, thumbnail: { width: 240, height: 320 } });
    expect(photo.uploadId).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);

    const [stored] = (await media.query('SELECT image, thumbnail FROM media WHERE id = $1', [photo.photoId])).rows as { image: Buffer; thumbnail: Buffer }[];
    for (const bytes of [stored!.image, stored!.thumbnail]) {
      const meta = await sharp(bytes).metadata();
      expect({ exif: meta.exif, xmp: meta.xmp, iptc: meta.iptc, orientation: meta.orientation }).toEqual({
        exif: undefined,
        xmp: undefined,
        iptc: undefined,
        orientation: undefined,
      });
    }
  });

  it('takes PNG and WebP too, sniffed from the bytes whatever the name says', async () => {
    const png = await sharp({ create: { width: 50, height: 40, channels: 4, background: '#0a0' } }).png().toBuffer();
    const webp = await sharp({ create: { width: 50, height: 40, channels: 3, background: '#00a' } }).webp().toBuffer();
    expect((await upload(tokens.zhou!, png, 'photo.jpg', 'image/jpeg')).body.contentType).toBe('image/png');
    expect((await upload(tokens.zhou!, webp, 'x.bin', 'application/octet-stream')).body.contentType).toBe('image/webp');
  });

  it('refuses an executable renamed photo.jpg, in the caller language', async () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(4096, 0x90)]);
    const result = await upload(tokens.zhou!, elf, 'photo.jpg', 'image/jpeg', { 'accept-language': 'zh-CN' });
    expect(result.status).toBe(415);
    expect(result.body.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'file' });
    expect(result.body.errors![0]!.message).toContain('JPEG、PNG 或 WebP');
  });

  it('refuses bytes that start like a JPEG but are not one', async () => {
    const fake = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2048, 0x41)]);
    const result = await upload(tokens.zhou!, fake);
    expect([result.status, result.body.errors![0]!.extensions.code]).toEqual([415, 'BAD_USER_INPUT']);
  });

  it('refuses a 6 MB photo as soon as 5 MB have come in, while the client is still sending', async () => {
    const total = 6 * 1024 * 1024;
    const result = await streamUpload(tokens.zhou!, total);
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body).errors[0].extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE', max: 5 * 1024 * 1024 });
    expect(result.sentWhenAnswered).toBeLessThan(total);
  });

  it('refuses a declared length over the limit before reading anything', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(6 * 1024 * 1024)], { type: 'image/jpeg' }), 'big.jpg');
    const response = await fetch(`${base}/uploads`, { method: 'POST', headers: { authorization: `Bearer ${tokens.zhou}` }, body: form });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('needs a token, and a multipart body with a file', async () => {
    const anonymous = await upload(null, await phoneJpeg());
    expect([anonymous.status, anonymous.body.errors![0]!.extensions]).toEqual([401, { code: 'UNAUTHENTICATED', reason: 'required' }]);
    const bad = await upload('not-a-token', await phoneJpeg());
    expect([bad.status, bad.body.errors![0]!.extensions.code]).toEqual([401, 'UNAUTHENTICATED']);
    const json = await fetch(`${base}/uploads`, { method: 'POST', headers: { authorization: `Bearer ${tokens.zhou}`, 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(400);
  });

  it('answers a browser page of an allowed origin with CORS headers, preflight included', async () => {
    const preflight = await fetch(`${base}/uploads`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const refused = await fetch(`${base}/uploads`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(refused.status).toBe(403);
  });
});

describe('photos on an order', () => {
  let orderId: string;
  let photo: PhotoView;

  it('a resident places an order with an uploaded photo and reads it back through a signed link', async () => {
    const up = await uploaded(tokens.zhou!);
    const placed = await place(tokens.zhou!, [up.uploadId]);
    expect(placed.errors).toBeUndefined();
    orderId = placed.data!.placeOrder.id;
    [photo] = placed.data!.placeOrder.photoList as [PhotoView];
    expect(photo).toMatchObject({ id: up.photoId, width: 480, height: 640, contentType: 'image/jpeg' });
    expect(photo.url).toMatch(new RegExp(`^/media/${up.photoId}\\?v=full&exp=\\d+&sig=`));

    const { response, body } = await fetchPhoto(photo.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(response.headers.get('cache-control')).toMatch(/^private, max-age=\d+, immutable$/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const served = await sharp(body).metadata();
    expect([served.format, served.width, served.height, served.exif]).toEqual(['jpeg', 480, 640, undefined]);
    const thumb = await fetchPhoto(photo.thumbnailUrl);
    expect((await sharp(thumb.body).metadata()).width).toBe(240);
  });

  it('the media store learns the photo is taken (media.photo.attached), so the sweep keeps it', async () => {
    await eventually(async () => {
      const { rows } = await media.query('SELECT attached_to FROM media WHERE id = $1', [photo.id]);
      return rows[0]?.attached_to === `order:${orderId}`;
    });
  });

  it('another resident, or staff out of scope, get no link (the order is not theirs to see); staff in scope get one', async () => {
    for (const token of [tokens.otherResident, tokens.otherStationAdmin]) {
      const other = await platform.query<{ order: unknown }>(READ, { id: orderId }, { token });
      expect({ errors: other.errors, order: other.data?.order }).toEqual({ errors: undefined, order: null });
    }

    const staff = await ok<{ order: { photoList: PhotoView[] } }>(READ, { id: orderId }, tokens.dispatcher!);
    expect(staff.order.photoList.map((p) => p.id)).toEqual([photo.id]);
    expect((await fetchPhoto(staff.order.photoList[0]!.url)).response.status).toBe(200);
  });

  it('a tampered link is refused 403, an expired one 410, each with a code', async () => {
    const tampered = photo.url.replace(/sig=([A-Za-z0-9_-])/, (_match, first: string) => `sig=${first === 'A' ? 'B' : 'A'}`);
    const bad = await fetchPhoto(tampered);
    expect(bad.response.status).toBe(403);
    expect(JSON.parse(bad.body.toString()).errors[0].extensions).toEqual({ code: 'FORBIDDEN', reason: 'urlInvalid' });
    const otherVariant = await fetchPhoto(photo.url.replace('v=full', 'v=thumb'));
    expect(otherVariant.response.status).toBe(403);

    const expired = new MediaSigner(platform.config.CLAIMS_SIGNING_SECRET).signedPath(photo.id, 'full', 600, Date.now() - 601_000);
    const gone = await fetchPhoto(expired);
    expect(gone.response.status).toBe(410);
    expect(JSON.parse(gone.body.toString()).errors[0].extensions).toEqual({ code: 'FORBIDDEN', reason: 'urlExpired' });
  });

  it('an upload id attaches once, and only for the one who uploaded it', async () => {
    const mine = await uploaded(tokens.zhou!);
    const foreign = await place(tokens.otherResident!, [mine.uploadId]);
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.photoIds.0' });
    const forged = await place(tokens.zhou!, [`${mine.uploadId.split('.')[0]}.AAAAAAAAAAAAAAAAAAAAAA`]);
    expect(forged.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.photoIds.0' });
    expect((await place(tokens.zhou!, [mine.uploadId])).errors).toBeUndefined();
    const again = await place(tokens.zhou!, [mine.uploadId]);
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.photoIds.0' });
  });

  it('proof of service: the delivering staff attach their photos to the delivery round', async () => {
    const proof = await uploaded(tokens.stationAdmin!);
    const yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
    const service = await platform.token({ sub: 'dispatch-worker', roles: ['SERVICE'] });
    await ok(`mutation($input: DispatchOrderInput!) { dispatchOrder(input: $input) { id } }`, { input: { orderId, stationId: yingbin.id } }, service);
    const byId = { input: { orderId } };
    await ok(`mutation($input: OrderIdInput!) { acceptOrder(input: $input) { id } }`, byId, tokens.stationAdmin!);
    await ok(`mutation($input: AssignVolunteersInput!) { assignVolunteers(input: $input) { id } }`, { input: { orderId, volunteerIds: [heYiVolunteer] } }, tokens.stationAdmin!);
    await ok(`mutation($input: OrderIdInput!) { startService(input: $input) { id } }`, byId, tokens.stationAdmin!);
    const delivered = await ok<{ deliverOrder: { photoList: PhotoView[]; deliveries: { round: number; photos: PhotoView[] }[] } }>(
      `mutation($input: DeliverOrderInput!) { deliverOrder(input: $input) { photoList { id } deliveries { round photos { ${PHOTO_FIELDS} } } } }`,
      { input: { orderId, note: '扶手已加固', outcome: 'FULL', minutes: [{ volunteerId: heYiVolunteer, minutes: 40 }], photoIds: [proof.uploadId] } },
      tokens.stationAdmin!,
    );
    expect(delivered.deliverOrder.photoList.map((p) => p.id)).toEqual([photo.id]);
    expect(delivered.deliverOrder.deliveries.map((d) => [d.round, d.photos.map((p) => p.id)])).toEqual([[1, [proof.photoId]]]);
    expect((await fetchPhoto(delivered.deliverOrder.deliveries[0]!.photos[0]!.url)).response.status).toBe(200);
    // The requester sees the proof too.
    const mine = await ok<{ order: { deliveries: { photos: { id: string }[] }[] } }>(`query($id: ID!) { order(id: $id) { deliveries { photos { id } } } }`, { id: orderId }, tokens.zhou!);
    expect(mine.order.deliveries[0]!.photos.map((p) => p.id)).toEqual([proof.photoId]);
  });
});

describe('photos on an offline service record', () => {
  const OFFLINE = `mutation($input: RecordOfflineServiceInput!) { recordOfflineService(input: $input) { id photos { ${PHOTO_FIELDS} } } }`;
  const RECORD = `query($id: ID!) { serviceRecord(id: $id) { id photos { id url } } }`;

  it('staff attach evidence photos; the volunteer and staff in scope get links, others do not see the record', async () => {
    const sheet = await uploaded(tokens.stationAdmin!);
    const yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
    const input = {
      volunteerId: heYiVolunteer,
      unitId: yingbin.id,
      category: 'ENVIRONMENT',
      title: '线下环境整治',
      place: '腾龙广场',
      content: '清理广场垃圾',
      startedAt: new Date(Date.now() - 7_200_000).toISOString(),
      minutes: 60,
      evidence: '签到表照片',
    };
    const foreign = await platform.query(OFFLINE, { input: { ...input, photoIds: [(await uploaded(tokens.zhou!)).uploadId] } }, { token: tokens.stationAdmin });
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.photoIds.0' });

    const recorded = await ok<{ recordOfflineService: { id: string; photos: PhotoView[] } }>(OFFLINE, { input: { ...input, photoIds: [sheet.uploadId] } }, tokens.stationAdmin!);
    const recordId = recorded.recordOfflineService.id;
    expect(recorded.recordOfflineService.photos).toEqual([expect.objectContaining({ id: sheet.photoId, contentType: 'image/jpeg' })]);
    expect((await fetchPhoto(recorded.recordOfflineService.photos[0]!.url)).response.status).toBe(200);
    await eventually(async () => {
      const { rows } = await media.query('SELECT attached_to FROM media WHERE id = $1', [sheet.photoId]);
      return rows[0]?.attached_to === `serviceRecord:${recordId}`;
    });

    const heYi = await platform.tokenAs('VOLUNTEER', undefined, (await platform.volunteers.query('SELECT person_id::text AS id FROM volunteer WHERE id = $1', [heYiVolunteer]))[0].id);
    const own = await ok<{ serviceRecord: { photos: { id: string }[] } }>(RECORD, { id: recordId }, heYi);
    expect(own.serviceRecord.photos.map((p) => p.id)).toEqual([sheet.photoId]);
    for (const token of [tokens.otherResident, tokens.otherStationAdmin]) {
      const other = await platform.query<{ serviceRecord: unknown }>(RECORD, { id: recordId }, { token });
      expect(other.data?.serviceRecord ?? null).toBeNull();
      expect(JSON.stringify(other)).not.toContain('/media/');
    }
  });
});

describe('the sweep', () => {
  it('deletes uploads nothing took within a day, keeps attached and recent ones, and counts what it removed', async () => {
    const stale = await uploaded(tokens.zhou!);
    const recent = await uploaded(tokens.zhou!);
    const taken = await uploaded(tokens.zhou!);
    await ok(PLACE, { input: { title: '路灯不亮', category: 'SAFETY_FACILITIES', channel: 'APP', photoIds: [taken.uploadId] } }, tokens.zhou!);
    await eventually(async () => {
      const { rows } = await media.query('SELECT attached_at FROM media WHERE id = $1', [taken.photoId]);
      return !!rows[0]?.attached_at;
    });
    await media.query(`UPDATE media SET created_at = now() - interval '25 hours' WHERE id = ANY($1::uuid[])`, [[stale.photoId, taken.photoId]]);

    const removed = await platform.gateway().media.sweep();
    expect(removed).toBeGreaterThanOrEqual(1);
    const { rows } = await media.query('SELECT id FROM media WHERE id = ANY($1::uuid[])', [[stale.photoId, recent.photoId, taken.photoId]]);
    expect(rows.map((row: { id: string }) => row.id).sort()).toEqual([recent.photoId, taken.photoId].sort());
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/gateway_media_swept_total\{service="gateway"\} [1-9]/);
  });
});
