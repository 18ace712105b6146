import { createHash } from 'node:crypto';
import { Platform, startPlatform } from './stack';

/**
 * Open311 GeoReport v2 (`/open311/v2`, docs/api.md "Open311") on the real stack: a city app with an api_key of
 * 迎宾社区 places a resident's request, the station sees it as an order through GraphQL, the app reads it back with
 * the spec's fields, and every refusal comes in the spec's error format with its HTTP status, nothing placed.
 */
const CITY_KEY = 'city-app-key-0123456789abcdef';
const OTHER_KEY = 'other-app-key-0123456789abcdef';
const INSTITUTE_KEY = 'institute-app-key-0123456789abcdef';
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** GeoReport v2's fields of a service (GET services.json), with their JSON types. */
const SERVICE_FIELDS: Record<string, string[]> = {
  service_code: ['string'],
  service_name: ['string'],
  description: ['string'],
  metadata: ['boolean'],
  type: ['string'],
  keywords: ['string'],
  group: ['string'],
};

/** GeoReport v2's fields of a service request (GET requests.json, GET requests/{id}.json), with their JSON types. */
const REQUEST_FIELDS: Record<string, string[]> = {
  service_request_id: ['string'],
  status: ['string'],
  status_notes: ['string', 'null'],
  service_name: ['string'],
  service_code: ['string'],
  description: ['string', 'null'],
  agency_responsible: ['string'],
  service_notice: ['string', 'null'],
  requested_datetime: ['string'],
  updated_datetime: ['string'],
  expected_datetime: ['string', 'null'],
  address: ['string', 'null'],
  address_id: ['string', 'null'],
  zipcode: ['string', 'null'],
  lat: ['number', 'null'],
  long: ['number', 'null'],
  media_url: ['string', 'null'],
};

/** GeoReport v2's answer to POST requests.json. */
const POST_FIELDS: Record<string, string[]> = {
  service_request_id: ['string'],
  service_notice: ['string', 'null'],
  account_id: ['string', 'null'],
};

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function jsonType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function expectFields(value: Record<string, unknown>, fields: Record<string, string[]>): void {
  for (const [name, types] of Object.entries(fields)) {
    expect({ name, has: name in value }).toEqual({ name, has: true });
    expect({ name, type: types.includes(jsonType(value[name])) }).toEqual({ name, type: true });
  }
}

let platform: Platform;
let base: string;
let stationAdmin: string;
let dispatcher: string;
let yingbin: { id: string; path: string };

async function call(method: 'GET' | 'POST', path: string, options: { query?: Record<string, string>; form?: Record<string, string>; json?: unknown; language?: string } = {}) {
  const url = new URL(`${base}${path}`);
  for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
  const headers: Record<string, string> = { 'accept-language': options.language ?? 'zh-CN' };
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(url, { method, headers, body });
  return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as unknown };
}

async function orderCount(): Promise<number> {
  const [row] = await platform.orders.query('SELECT count(*)::int AS n FROM service_order');
  return row.n as number;
}

/** The spec's error answer: one `{code, description}` with the HTTP status as the code, nothing else. */
function expectError(answer: { status: number; body: unknown }, status: number, says?: RegExp): void {
  expect(answer.status).toBe(status);
  expect(answer.body).toEqual([{ code: status, description: expect.any(String) }]);
  if (says) expect((answer.body as { description: string }[])[0]!.description).toMatch(says);
}

const place = (form: Record<string, string>) => call('POST', '/open311/v2/requests.json', { form: { api_key: CITY_KEY, ...form } });

beforeAll(async () => {
  platform = await startPlatform({
    seed: 'demo',
    env: {
      OPEN311_CLIENTS: JSON.stringify([
        { name: 'city-app', keySha256: sha256(CITY_KEY), unitCode: 'KZ-HANFENG-YINGBIN' },
        { name: 'other-app', keySha256: sha256(OTHER_KEY), unitCode: 'KZ-YUNFENG-YONGXIAN', role: 'GRID_WORKER' },
        // An institute, whose code is part of every one of its stations' codes.
        { name: 'institute-app', keySha256: sha256(INSTITUTE_KEY), unitCode: 'KZ-HANFENG', role: 'INSTITUTE_ADMIN' },
      ]),
    },
  });
  base = platform.gatewayUrl.replace(/\/graphql$/, '');
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  stationAdmin = await platform.login('13900230005');
  dispatcher = await platform.login('13900230002');
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

describe('GET services.json', () => {
  it('lists one service per order category of the graph, with every field of the spec', async () => {
    const answer = await call('GET', '/open311/v2/services.json');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json; charset=utf-8/);
    const services = answer.body as Record<string, unknown>[];
    for (const service of services) expectFields(service, SERVICE_FIELDS);
    const categories = await platform.query<{ __type: { enumValues: { name: string }[] } }>('{ __type(name: "OrderCategory") { enumValues { name } } }');
    expect(services.map((service) => service.service_code).sort()).toEqual(categories.data!.__type.enumValues.map((value) => value.name).sort());
    expect(services.find((service) => service.service_code === 'ELDERLY_CARE')).toMatchObject({ service_name: '助老服务', metadata: false, type: 'realtime' });
  });

  it('answers a service definition with no attributes, and 404 for an unknown code', async () => {
    const definition = await call('GET', '/open311/v2/services/ENVIRONMENT.json');
    expect(definition).toMatchObject({ status: 200, body: { service_code: 'ENVIRONMENT', attributes: [] } });
    expectError(await call('GET', '/open311/v2/services/POTHOLE.json'), 404, /POTHOLE/);
  });

  it('serves discovery.json naming the v2 endpoint and its JSON format', async () => {
    const answer = await call('GET', '/open311/v2/discovery.json');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ endpoints: [{ specification: 'http://wiki.open311.org/GeoReport_v2', formats: ['application/json'] }] });
    expect((answer.body as { endpoints: { url: string }[] }).endpoints[0]!.url).toMatch(/\/open311\/v2$/);
  });

  it('does not serve XML: .xml is a 400 in the error format, an unknown resource a 404', async () => {
    expectError(await call('GET', '/open311/v2/services.xml'), 400, /services\.json/);
    expectError(await call('GET', '/open311/v2/tokens/abc.json'), 404);
  });
});

describe('POST requests.json', () => {
  let placedId: string;

  it('places an order for the resident that the station sees through GraphQL, and answers with its id', async () => {
    const before = await orderCount();
    const answer = await place({
      service_code: 'SAFETY_FACILITIES',
      lat: '31.1603',
      long: '108.3931',
      address_string: '开州区汉丰街道迎宾社区腾龙广场小区 3 栋',
      description: '小区健身器材生锈松动\n单杠底座晃动，老人锻炼有危险。',
      first_name: '建华',
      last_name: '周',
      phone: '+86 139 0023 0099',
      email: 'zhou@example.cn',
      media_url: 'https://img.example.cn/tenglong/1.jpg',
    });
    expect(answer.status).toBe(201);
    const [placed] = answer.body as Record<string, unknown>[];
    expectFields(placed!, POST_FIELDS);
    expect(placed!.service_notice).toMatch(/KZ-\d{8}-\d{4}/);
    placedId = placed!.service_request_id as string;
    expect(await orderCount()).toBe(before + 1);

    const seen = await platform.query<{ order: Record<string, unknown> }>(
      `query($id: ID!) { order(id: $id) { id title category channel status description address location { lat lng } photos
         beneficiary { name phone } timeline { action actorRole actorUnit { id } } } }`,
      { id: placedId },
      { token: stationAdmin },
    );
    expect(seen.errors).toBeUndefined();
    expect(seen.data!.order).toMatchObject({
      id: placedId,
      title: '小区健身器材生锈松动',
      category: 'SAFETY_FACILITIES',
      channel: 'PHONE',
      status: 'SUBMITTED',
      address: '开州区汉丰街道迎宾社区腾龙广场小区 3 栋',
      location: { lat: 31.1603, lng: 108.3931 },
      photos: ['https://img.example.cn/tenglong/1.jpg'],
      beneficiary: { name: '周建华', phone: '13900230099' },
      timeline: [{ action: 'SUBMITTED', actorRole: 'GRID_WORKER', actorUnit: { id: yingbin.id } }],
    });
  });

  it('takes a JSON body too, with address_string alone as the location', async () => {
    const answer = await call('POST', '/open311/v2/requests.json', {
      json: { api_key: CITY_KEY, service_code: 'ELDERLY_CARE', address_string: '迎宾社区 5 栋 2 单元', description: '独居老人需要代购药品' },
    });
    expect(answer.status).toBe(201);
    expectFields((answer.body as Record<string, unknown>[])[0]!, POST_FIELDS);
  });

  it('places one order per POST: the spec has no idempotency key, and the facade never retries a placement itself', async () => {
    const before = await orderCount();
    const form = { service_code: 'ENVIRONMENT', address_string: '迎宾社区垃圾站', description: '垃圾站满溢' };
    const first = await place(form);
    expect(first.status).toBe(201);
    expect(await orderCount()).toBe(before + 1);
    const retried = await place(form);
    expect(retried.status).toBe(201);
    expect((retried.body as { service_request_id: string }[])[0]!.service_request_id).not.toBe((first.body as { service_request_id: string }[])[0]!.service_request_id);
    expect(await orderCount()).toBe(before + 2);
  });

  it('acts for the unit of exactly the configured code, in the role configured', async () => {
    const answer = await call('POST', '/open311/v2/requests.json', { form: { api_key: INSTITUTE_KEY, service_code: 'LEGAL', address_string: '汉丰街道', description: '邻里纠纷需要调解' } });
    expect(answer.status).toBe(201);
    const id = (answer.body as { service_request_id: string }[])[0]!.service_request_id;
    const hanfeng = await platform.unit('KZ-HANFENG');
    const [row] = await platform.orders.query('SELECT scope_path, placed_by_person_id FROM service_order WHERE id = $1', [id]);
    expect(row).toEqual({ scope_path: hanfeng.path, placed_by_person_id: 'open311:institute-app' });
    const [line] = await platform.orders.query(`SELECT actor_role, actor_unit_id::text AS unit FROM order_event WHERE order_id = $1`, [id]);
    expect(line).toEqual({ actor_role: 'INSTITUTE_ADMIN', unit: hanfeng.id });
  });

  it('refuses missing or wrong fields in the error format, placing nothing', async () => {
    const before = await orderCount();
    expectError(await place({ address_string: '迎宾社区', description: '无类别' }), 400, /service_code/);
    expectError(await place({ service_code: 'POTHOLE', address_string: '迎宾社区' }), 400, /POTHOLE/);
    expectError(await place({ service_code: 'HEALTH', description: '没有位置' }), 400, /lat|address_string/);
    expectError(await place({ service_code: 'HEALTH', lat: '31.16' }), 400, /long/);
    expectError(await place({ service_code: 'HEALTH', lat: '91', long: '108.39' }), 400, /lat/);
    expectError(await place({ service_code: 'HEALTH', lat: 'north', long: '108.39' }), 400, /lat/);
    // Refused by the orders subgraph's own validation, the field named as the client sent it.
    expectError(await place({ service_code: 'HEALTH', address_string: '迎宾社区', phone: '12345' }), 400, /^phone/);
    expectError(await place({ service_code: 'HEALTH', address_string: '迎宾社区', description: '长'.repeat(2001) }), 400, /^description/);
    expectError(await place({ service_code: 'HEALTH', address_string: '迎宾社区', media_url: 'http://img.example.cn/1.jpg' }), 400, /^media_url/);
    const malformed = await fetch(`${base}/open311/v2/requests.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"api_key":' });
    expectError({ status: malformed.status, body: await malformed.json() }, 400);
    expect(await orderCount()).toBe(before);
  });

  it('refuses a missing or unknown api_key with 403, placing nothing', async () => {
    const before = await orderCount();
    const form = { service_code: 'HEALTH', address_string: '迎宾社区' };
    expectError(await call('POST', '/open311/v2/requests.json', { form }), 403, /api_key/);
    expectError(await call('POST', '/open311/v2/requests.json', { form: { ...form, api_key: 'guessed' } }), 403, /api_key/);
    expectError(await call('POST', '/open311/v2/requests.json', { form: { ...form, api_key: 'guessed' }, language: 'en' }), 403, /api_key is missing/);
    expect(await orderCount()).toBe(before);
  });

  describe('GET requests', () => {
    it('answers one request by id with every field of the spec', async () => {
      const answer = await call('GET', `/open311/v2/requests/${placedId}.json`, { query: { api_key: CITY_KEY } });
      expect(answer.status).toBe(200);
      const [request] = answer.body as Record<string, unknown>[];
      expectFields(request!, REQUEST_FIELDS);
      for (const name of ['requested_datetime', 'updated_datetime']) expect(request![name]).toMatch(ISO_WITH_OFFSET);
      expect(request).toMatchObject({
        service_request_id: placedId,
        status: 'open',
        status_notes: '已受理，等待派单',
        service_code: 'SAFETY_FACILITIES',
        service_name: '安全隐患与设施',
        address: '开州区汉丰街道迎宾社区腾龙广场小区 3 栋',
        lat: 31.1603,
        long: 108.3931,
        media_url: 'https://img.example.cn/tenglong/1.jpg',
        expected_datetime: null,
      });
      // No personal data of the resident: no name, phone or email anywhere in the answer.
      expect(JSON.stringify(answer.body)).not.toMatch(/周建华|13900230099|zhou@example/);
    });

    it('follows the six orders: after dispatch the station is the agency and the timeline gives the notes', async () => {
      const dispatched = await platform.query(`mutation($input: DispatchOrderInput!) { dispatchOrder(input: $input) { status } }`, { input: { orderId: placedId, stationId: yingbin.id } }, { token: dispatcher });
      expect(dispatched.errors).toBeUndefined();
      const answer = await call('GET', `/open311/v2/requests/${placedId}.json`, { query: { api_key: CITY_KEY } });
      const [request] = answer.body as Record<string, unknown>[];
      const [station] = await platform.org.query('SELECT name FROM practice_unit WHERE id = $1', [yingbin.id]);
      expect(request).toMatchObject({ status: 'open', status_notes: `已派单至实践站：${station.name}`, agency_responsible: station.name });
    });

    it('lists the client’s requests with the filters of the spec', async () => {
      const all = await call('GET', '/open311/v2/requests.json', { query: { api_key: CITY_KEY } });
      expect(all.status).toBe(200);
      const requests = all.body as Record<string, unknown>[];
      expect(requests.length).toBe(4);
      for (const request of requests) expectFields(request, REQUEST_FIELDS);
      expect(requests.map((request) => request.service_request_id)).toContain(placedId);

      const byCode = await call('GET', '/open311/v2/requests.json', { query: { api_key: CITY_KEY, service_code: 'ENVIRONMENT,ELDERLY_CARE' } });
      expect((byCode.body as { service_code: string }[]).map((request) => request.service_code).sort()).toEqual(['ELDERLY_CARE', 'ENVIRONMENT', 'ENVIRONMENT']);
      const byId = await call('GET', '/open311/v2/requests.json', { query: { api_key: CITY_KEY, service_request_id: `${placedId},999999999` } });
      expect((byId.body as { service_request_id: string }[]).map((request) => request.service_request_id)).toEqual([placedId]);
      const closed = await call('GET', '/open311/v2/requests.json', { query: { api_key: CITY_KEY, status: 'closed' } });
      expect(closed).toMatchObject({ status: 200, body: [] });
      const open = await call('GET', '/open311/v2/requests.json', { query: { api_key: CITY_KEY, status: 'open' } });
      expect((open.body as unknown[]).length).toBe(4);
      const future = await call('GET', '/open311/v2/requests.json', { query: { api_key: CITY_KEY, start_date: '2099-01-01T00:00:00+08:00' } });
      expect(future).toMatchObject({ status: 200, body: [] });
      const past = await call('GET', '/open311/v2/requests.json', { query: { api_key: CITY_KEY, start_date: '2020-01-01T00:00:00Z', end_date: '2020-02-01T00:00:00Z' } });
      expect(past).toMatchObject({ status: 200, body: [] });
      const window = await call('GET', '/open311/v2/requests.json', { query: { api_key: CITY_KEY, start_date: new Date(Date.now() - 3_600_000).toISOString(), end_date: new Date(Date.now() + 3_600_000).toISOString() } });
      expect((window.body as unknown[]).length).toBe(4);
    });

    it('answers closed with the timeline’s note once the order is cancelled', async () => {
      const mine = await call('GET', '/open311/v2/requests.json', { query: { api_key: CITY_KEY, service_code: 'ELDERLY_CARE' } });
      const [elderly] = mine.body as { service_request_id: string }[];
      // The client's own identity (what the facade runs as) cancels through the graph: the spec has no cancel.
      const asClient = await platform.token({ sub: 'open311:city-app', roles: ['GRID_WORKER'], unitId: yingbin.id, unitPath: yingbin.path });
      const cancelled = await platform.query(`mutation($input: CancelOrderInput!) { cancelOrder(input: $input) { status } }`, { input: { orderId: elderly!.service_request_id, reason: '家属已代购' } }, { token: asClient });
      expect(cancelled.errors).toBeUndefined();
      const answer = await call('GET', `/open311/v2/requests/${elderly!.service_request_id}.json`, { query: { api_key: CITY_KEY } });
      expect(answer.body).toMatchObject([{ status: 'closed', status_notes: '已取消：家属已代购', expected_datetime: null }]);
      const closed = await call('GET', '/open311/v2/requests.json', { query: { api_key: CITY_KEY, status: 'closed' } });
      expect((closed.body as { service_request_id: string }[]).map((request) => request.service_request_id)).toEqual([elderly!.service_request_id]);
      const open = await call('GET', '/open311/v2/requests.json', { query: { api_key: CITY_KEY, status: 'open' } });
      expect((open.body as unknown[]).length).toBe(3);
    });

    it('shows a client only the requests it placed: another client’s key gets 404 and an empty list', async () => {
      expectError(await call('GET', `/open311/v2/requests/${placedId}.json`, { query: { api_key: OTHER_KEY } }), 404);
      expect(await call('GET', '/open311/v2/requests.json', { query: { api_key: OTHER_KEY } })).toMatchObject({ status: 200, body: [] });
    });

    it('refuses bad reads in the error format: no key 403, unknown id 404, bad dates, statuses and codes 400', async () => {
      expectError(await call('GET', `/open311/v2/requests/${placedId}.json`), 403, /api_key/);
      expectError(await call('GET', '/open311/v2/requests.json', { query: { api_key: 'guessed' } }), 403);
      expectError(await call('GET', '/open311/v2/requests/999999999.json', { query: { api_key: CITY_KEY } }), 404);
      expectError(await call('GET', '/open311/v2/requests/not-a-number.json', { query: { api_key: CITY_KEY } }), 404);
      expectError(await call('GET', '/open311/v2/requests.json', { query: { api_key: CITY_KEY, start_date: 'yesterday' } }), 400, /start_date/);
      expectError(await call('GET', '/open311/v2/requests.json', { query: { api_key: CITY_KEY, end_date: '2026-12-01' } }), 400, /end_date/);
      expectError(
        await call('GET', '/open311/v2/requests.json', { query: { api_key: CITY_KEY, start_date: '2026-12-02T00:00:00Z', end_date: '2026-12-01T00:00:00Z' } }),
        400,
        /end_date/,
      );
      expectError(await call('GET', '/open311/v2/requests.json', { query: { api_key: CITY_KEY, status: 'pending' } }), 400, /status/);
      expectError(await call('GET', '/open311/v2/requests.json', { query: { api_key: CITY_KEY, service_code: 'POTHOLE' } }), 400, /POTHOLE/);
    });
  });
});

describe('the rate limit', () => {
  const LIMIT = 3;
  let limited: Platform;

  beforeAll(async () => {
    limited = await startPlatform({
      seed: 'demo',
      env: {
        GATEWAY_RATE_LIMIT_PER_MINUTE: String(LIMIT),
        OPEN311_CLIENTS: JSON.stringify([{ name: 'city-app', keySha256: sha256(CITY_KEY), unitCode: 'KZ-HANFENG-YINGBIN' }]),
      },
    });
  }, 120_000);

  afterAll(async () => {
    await limited?.stop();
  });

  it(`lets a client make ${LIMIT} requests a minute, then answers 429 in the error format with Retry-After`, async () => {
    const url = `${limited.gatewayUrl.replace(/\/graphql$/, '')}/open311/v2/requests.json?api_key=${CITY_KEY}`;
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i <= LIMIT; i += 1) {
      const response = await fetch(url);
      statuses.push(response.status);
      if (response.status === 429) refused = response;
      else await response.json();
    }
    expect(statuses).toEqual([...Array(LIMIT).fill(200), 429]);
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused!.json()).toEqual([{ code: 429, description: expect.stringMatching(String(LIMIT)) }]);
  });
});
