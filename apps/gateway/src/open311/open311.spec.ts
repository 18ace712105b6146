import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Kind, parse } from 'graphql';
import IORedis from 'ioredis';
import { createLogger } from '@kz/telemetry';
import { deleteKeysWithPrefix, testConfig, uniqueQueuePrefix } from '@kz/testing';
import { createRateLimiter, RateLimiter } from '../rate-limit';
import {
  beijingIso,
  createOpen311,
  DEFAULT_WINDOW_DAYS,
  Open311Clients,
  Open311Error,
  OPEN311_SERVICES,
  open311Status,
  paramsOf,
  placeInput,
  requestFilter,
  sha256Hex,
  statusNotes,
  titleOf,
} from '.';

/** The values of an enum of the gateway's API schema (what clients see). */
function enumValues(name: string): string[] {
  const document = parse(readFileSync(join(__dirname, '../../schema.graphql'), 'utf8'));
  for (const definition of document.definitions) {
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === name) return (definition.values ?? []).map((value) => value.name.value);
  }
  throw new Error(`no enum ${name}`);
}

const form = (values: Record<string, string>) => paramsOf(new URLSearchParams(), new URLSearchParams(values));

function refusal(run: () => unknown): { status: number; code: string; field: unknown; key: string } {
  try {
    run();
  } catch (error) {
    if (!(error instanceof Open311Error)) throw error;
    return { status: error.status, code: error.error.code, field: error.error.params.field, key: error.error.messageKey };
  }
  throw new Error('not refused');
}

describe('the GeoReport v2 mapping', () => {
  it('has one service per order category of the graph, each named in Chinese', () => {
    expect(OPEN311_SERVICES.map((service) => service.service_code).sort()).toEqual(enumValues('OrderCategory').sort());
    for (const service of OPEN311_SERVICES) {
      expect(service.service_name).toMatch(/[\u4e00-\u9fff]/);
      expect(service).toMatchObject({ metadata: false, type: 'realtime' });
    }
  });

  it('maps every order status to open or closed', () => {
    const statuses = enumValues('OrderStatus');
    expect(Object.fromEntries(statuses.map((status) => [status, open311Status(status)]))).toEqual({
      SUBMITTED: 'open',
      DISPATCHED: 'open',
      ACCEPTED: 'open',
      IN_PROGRESS: 'open',
      DELIVERED: 'closed',
      EVALUATED: 'closed',
      CLOSED: 'closed',
      CANCELLED: 'closed',
    });
  });

  it('says every timeline action in Chinese in status_notes, with the latest line’s note', () => {
    for (const action of enumValues('OrderAction')) {
      const notes = statusNotes([{ action, note: null, at: '2026-12-07T01:00:00.000Z' }]);
      expect(notes).toMatch(/[\u4e00-\u9fff]/);
    }
    const timeline = [
      { action: 'SUBMITTED', note: null, at: '2026-12-07T01:00:00.000Z' },
      { action: 'RETURNED', note: '本站人手不足', at: '2026-12-07T02:00:00.000Z' },
    ];
    expect(statusNotes(timeline)).toBe('实践站已退回，等待重新派单：本站人手不足');
    expect(statusNotes([])).toBeNull();
  });

  it('writes times as ISO 8601 with Beijing’s offset', () => {
    expect(beijingIso('2026-12-07T16:30:05.123Z')).toBe('2026-12-08T00:30:05+08:00');
    expect(new Date(beijingIso('2026-12-07T16:30:05.000Z')).toISOString()).toBe('2026-12-07T16:30:05.000Z');
  });

  it('turns a POST into placeOrder’s assisted input: the requester as the beneficiary, the title from the description', () => {
    const input = placeInput(
      form({ service_code: 'ELDERLY_CARE', lat: '31.16', long: '108.39', description: '\n  独居老人  需要代购\n药品清单见附件', first_name: '建华', last_name: '周', phone: '+86 139-0023-0099' }),
    );
    expect(input).toEqual({
      title: '独居老人 需要代购',
      description: '\n  独居老人  需要代购\n药品清单见附件',
      category: 'ELDERLY_CARE',
      channel: 'PHONE',
      address: null,
      location: { lat: 31.16, lng: 108.39 },
      photos: null,
      beneficiary: { name: '周建华', phone: '139-0023-0099', specialGroup: 'NONE' },
    });
    expect(placeInput(form({ service_code: 'LEGAL', address_string: '迎宾社区', first_name: 'Anna', last_name: 'Li' }))).toMatchObject({
      title: '法律服务',
      beneficiary: { name: 'Anna Li', phone: null },
    });
    expect(placeInput(form({ service_code: 'LEGAL', address_string: '迎宾社区' }))).toMatchObject({ beneficiary: { name: '未留姓名' } });
    expect(Array.from(titleOf('长'.repeat(150), OPEN311_SERVICES[0]!))).toHaveLength(100);
  });

  it('refuses what the spec requires with 400 and the field: service_code, a known one, a location, coordinates', () => {
    expect(refusal(() => placeInput(form({ address_string: '迎宾社区' })))).toEqual({ status: 400, code: 'BAD_USER_INPUT', field: 'service_code', key: 'input.required' });
    expect(refusal(() => placeInput(form({ service_code: 'POTHOLE', address_string: 'x' })))).toMatchObject({ status: 400, field: 'service_code', key: 'open311.unknownService' });
    expect(refusal(() => placeInput(form({ service_code: 'HEALTH', address_string: '  ' })))).toMatchObject({ status: 400, key: 'open311.location' });
    expect(refusal(() => placeInput(form({ service_code: 'HEALTH', long: '108.3' })))).toMatchObject({ status: 400, field: 'lat', key: 'input.required' });
    expect(refusal(() => placeInput(form({ service_code: 'HEALTH', lat: '31', long: '181' })))).toMatchObject({ status: 400, field: 'long', key: 'input.outOfRange' });
    expect(refusal(() => placeInput(form({ service_code: 'HEALTH', lat: '0x1f', long: '108' })))).toMatchObject({ status: 400, field: 'lat', key: 'input.invalidFormat' });
  });

  it('reads GET filters: the last 90 days by default, dates with a zone only, statuses open and closed', () => {
    const now = new Date('2026-12-07T00:00:00Z');
    const none = requestFilter(paramsOf(new URLSearchParams()), now);
    expect(none).toMatchObject({ ids: null, codes: null, statuses: null, end: now });
    expect(now.getTime() - none.start.getTime()).toBe(DEFAULT_WINDOW_DAYS * 86_400_000);
    const endOnly = requestFilter(paramsOf(new URLSearchParams({ end_date: '2026-06-01T00:00:00+08:00' })), now);
    expect(endOnly.end.getTime() - endOnly.start.getTime()).toBe(DEFAULT_WINDOW_DAYS * 86_400_000);
    const some = requestFilter(paramsOf(new URLSearchParams({ service_code: 'HEALTH,LEGAL', status: 'open', service_request_id: '12,13' })), now);
    expect(some).toMatchObject({ ids: ['12', '13'], codes: null, statuses: null });
    const filtered = requestFilter(paramsOf(new URLSearchParams({ service_code: 'HEALTH,LEGAL', status: 'open' })), now);
    expect(filtered).toMatchObject({ ids: null, codes: new Set(['HEALTH', 'LEGAL']), statuses: new Set(['open']) });
    // With ids the other filters are ignored, as the spec says, bad ones too.
    expect(requestFilter(paramsOf(new URLSearchParams({ service_request_id: '12', status: 'pending' })), now).ids).toEqual(['12']);
    const bad = (values: Record<string, string>) => refusal(() => requestFilter(paramsOf(new URLSearchParams(values)), now));
    expect(bad({ start_date: '2026-12-01' })).toMatchObject({ status: 400, field: 'start_date', key: 'input.invalidFormat' });
    expect(bad({ end_date: '2026-13-45T00:00:00Z' })).toMatchObject({ status: 400, field: 'end_date' });
    expect(bad({ start_date: '2026-12-02T00:00:00Z', end_date: '2026-12-01T00:00:00Z' })).toMatchObject({ status: 400, field: 'end_date', key: 'figures.rangeInverted' });
    expect(bad({ status: 'pending' })).toMatchObject({ status: 400, field: 'status' });
    expect(bad({ service_code: 'HEALTH,POTHOLE' })).toMatchObject({ status: 400, field: 'service_code' });
    expect(bad({ service_request_id: Array.from({ length: 101 }, (_, i) => String(i)).join(',') })).toMatchObject({ status: 400, key: 'open311.tooMany' });
  });
});

describe('api keys', () => {
  it('finds a client by the SHA-256 of its key; a blank, unknown or hash-as-key presentation finds none', () => {
    const clients = new Open311Clients([
      { name: 'city-app', keySha256: sha256Hex('secret-1'), unitCode: 'KZ-HANFENG-YINGBIN', role: 'GRID_WORKER' },
      { name: 'staffed', keySha256: sha256Hex('secret-2'), unitCode: 'KZ-HANFENG', role: 'INSTITUTE_ADMIN', personId: '42' },
    ]);
    expect(clients.byKey('secret-1')).toEqual({ name: 'city-app', sub: 'open311:city-app', role: 'GRID_WORKER', unitCode: 'KZ-HANFENG-YINGBIN' });
    expect(clients.byKey('secret-2')).toMatchObject({ sub: '42', role: 'INSTITUTE_ADMIN' });
    expect(clients.byKey(undefined)).toBeUndefined();
    expect(clients.byKey('secret-3')).toBeUndefined();
    expect(clients.byKey(sha256Hex('secret-1'))).toBeUndefined();
  });

  it('refuses two clients with one key', () => {
    const entry = { name: 'a', keySha256: sha256Hex('same'), unitCode: 'X', role: 'GRID_WORKER' as const };
    expect(() => new Open311Clients([entry, { ...entry, name: 'b' }])).toThrow(/two clients/);
  });
});

describe('the facade over HTTP (real Redis rate limit)', () => {
  const config = { ...testConfig(), OPEN311_CLIENTS: [] };
  const prefix = uniqueQueuePrefix();
  const redis = new IORedis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  let limiter: RateLimiter;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    limiter = createRateLimiter({ limit: 3, redisUrl: config.REDIS_URL, prefix, log: createLogger('open311-test', 'silent') });
    await limiter.ready();
    // No graph behind it: these requests are answered, or refused, before any operation would run.
    const handle = createOpen311(config, { log: createLogger('open311-test', 'silent'), apollo: undefined as never, rateLimiter: limiter });
    server = createServer((req, res) => void handle({ req, body: undefined, url: new URL(req.url ?? '/', 'http://localhost') }, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await limiter.close();
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it('refuses without a key, and a wrong method, in the error format', async () => {
    const noKey = await fetch(`${base}/open311/v2/requests.json`, { headers: { 'accept-language': 'zh-CN' } });
    expect(noKey.status).toBe(403);
    expect(await noKey.json()).toEqual([{ code: 403, description: 'api_key 缺失，或不是本平台发放的密钥。' }]);
    const wrongMethod = await fetch(`${base}/open311/v2/services.json`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    expect(await wrongMethod.json()).toEqual([{ code: 405, description: expect.stringMatching(/DELETE/) }]);
    const tooLarge = await fetch(`${base}/open311/v2/requests.json`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `description=${'x'.repeat(config.MAX_BODY_BYTES)}` });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toEqual([{ code: 413, description: expect.any(String) }]);
  });

  it('counts requests against the gateway’s rate limit: 429 in the error format with Retry-After', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i += 1) {
      last = await fetch(`${base}/open311/v2/services.json`);
      statuses.push(last.status);
      if (last.status === 429) break;
      await last.json();
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await last!.json()).toEqual([{ code: 429, description: expect.stringMatching(/3/) }]);
  });
});
