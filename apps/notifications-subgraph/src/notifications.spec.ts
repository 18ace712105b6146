import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import type { Claims } from '@kz/auth';
import type { EventEnvelope } from '@kz/events';
import { followUnitMove } from '@kz/notifications';
import { RunningSubgraph, SQL_STATEMENTS_HEADER } from '@kz/subgraph';
import { aCaller, errorCodes, eventuallyValue, signedSubgraphRequest, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startNotificationsSubgraph } from './app';

const zhou: Claims = aCaller.resident('908');
const liu: Claims = aCaller.resident('918');
const yingbinAdmin = aCaller.staff('STATION_ADMIN', { id: '123', path: '1/7/123' }, '905');
const dongheAdmin = aCaller.staff('STATION_ADMIN', { id: '124', path: '1/7/124' }, '915');
const hanfengAdmin = aCaller.staff('INSTITUTE_ADMIN', { id: '7', path: '1/7' }, '904');
const centerAdmin = aCaller.staff('CENTER_ADMIN', { id: '1', path: '1' }, '901');
const dispatcher = aCaller.staff('DISPATCHER', { id: '1', path: '1' }, '902');

let subgraph: SubgraphAlone<RunningSubgraph>;

beforeAll(async () => {
  subgraph = await startSubgraphAlone('NOTIFICATIONS_DATABASE', (config) => startNotificationsSubgraph(config, { port: 0 }), zhou);
});

afterAll(() => subgraph?.stop());

const db = () => subgraph.running.dataSource;

/** A notification as the worker writes it (the worker is not running here). */
async function aNotification(recipient: string, overrides: { kind?: string; title?: string; body?: string; unitPath?: string; params?: object; audience?: string } = {}): Promise<string> {
  const [row] = await db().query(
    `INSERT INTO notification (recipient_person_id, event_id, kind, audience, title, body, params, link, urgent, unit_path)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'order:42', false, $8) RETURNING id::text`,
    [
      recipient,
      randomUUID(),
      overrides.kind ?? 'order.dispatched',
      overrides.audience ?? 'RESIDENT',
      overrides.title ?? '订单已派单',
      overrides.body ?? '您的订单「楼道灯不亮」（KZ-20261128-0042）已派至实践站，请留意接单进展。',
      JSON.stringify(overrides.params ?? { code: 'KZ-20261128-0042', title: '楼道灯不亮', orderId: '42' }),
      overrides.unitPath ?? '1/7/123',
    ],
  );
  return row.id;
}

async function aDeadLetter(unitPath: string, recipient = '908'): Promise<string> {
  const notification = await aNotification(recipient, { unitPath });
  const [row] = await db().query(
    `INSERT INTO delivery (notification_id, channel, status, address, attempts, next_attempt_at, last_error)
     VALUES ($1, 'SMS', 'DEAD', '13900230008', 1, now(), 'HTTP 400: bad template') RETURNING id::text`,
    [notification],
  );
  return row.id;
}

const INBOX = `query($unreadOnly: Boolean, $first: Int, $after: String) {
  myNotifications(unreadOnly: $unreadOnly, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id kind title body link urgent createdAt readAt } }
  }
}`;
type Inbox = { myNotifications: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string; title: string; body: string; readAt: string | null } }[] } };

describe('the inbox', () => {
  it('shows a person only their own notifications, newest first, page by page', async () => {
    const mine = [await aNotification('908'), await aNotification('908'), await aNotification('908')];
    const theirs = await aNotification('918');
    const first = await subgraph.ask<Inbox>(INBOX, { first: 2 }, zhou);
    expect(first.errors).toBeUndefined();
    expect(first.data!.myNotifications.edges.map((edge) => edge.node.id)).toEqual([mine[2], mine[1]]);
    expect(first.data!.myNotifications.totalCount).toBe(3);
    const second = await subgraph.ask<Inbox>(INBOX, { first: 2, after: first.data!.myNotifications.pageInfo.endCursor }, zhou);
    expect(second.data!.myNotifications.edges.map((edge) => edge.node.id)).toEqual([mine[0]]);
    expect(second.data!.myNotifications.pageInfo.hasNextPage).toBe(false);
    const other = await subgraph.ask<Inbox>(INBOX, {}, liu);
    expect(other.data!.myNotifications.edges.map((edge) => edge.node.id)).toEqual([theirs]);
    // A worker (or anyone without a person id) has no inbox.
    const service = await subgraph.ask<Inbox>(INBOX, {}, { sub: 'notification-worker', roles: ['SERVICE'] });
    expect(service.data!.myNotifications.totalCount).toBe(0);
    expect(errorCodes(await subgraph.ask(INBOX, {}, null))).toEqual(['UNAUTHENTICATED']);
  });

  it('marks only the caller’s own notifications read, and counts the unread', async () => {
    const person = aCaller.resident('930');
    const ids = [await aNotification('930'), await aNotification('930'), await aNotification('930')];
    const someoneElses = await aNotification('931');
    const count = () => subgraph.ask<{ unreadNotificationCount: number }>('{ unreadNotificationCount }', {}, person).then((r) => r.data!.unreadNotificationCount);
    expect(await count()).toBe(3);
    const mark = (input: object, who = person) =>
      subgraph.ask<{ markNotificationsRead: number }>('mutation($input: MarkNotificationsReadInput!) { markNotificationsRead(input: $input) }', { input }, who);
    expect((await mark({ ids: [ids[0], someoneElses] })).data!.markNotificationsRead).toBe(1);
    expect((await mark({ ids: [ids[0]] })).data!.markNotificationsRead).toBe(0);
    expect(await count()).toBe(2);
    const unread = await subgraph.ask<Inbox>(INBOX, { unreadOnly: true }, person);
    expect(unread.data!.myNotifications.edges.map((edge) => edge.node.id)).toEqual([ids[2], ids[1]]);
    expect((await mark({ all: true })).data!.markNotificationsRead).toBe(2);
    expect(await count()).toBe(0);
    const [{ read_at }] = await db().query('SELECT read_at FROM notification WHERE id = $1', [someoneElses]);
    expect(read_at).toBeNull();
    for (const input of [{}, { ids: [ids[0]], all: true }, { ids: [] }]) {
      const refused = await mark(input);
      expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
      expect(refused.errors![0]!.extensions!.field).toBe('input.ids');
    }
  });

  it('speaks the reader’s language: the Chinese as sent, or the same template in English', async () => {
    const person = aCaller.resident('940');
    await aNotification('940');
    const zh = await signedSubgraphRequest<Inbox>(subgraph.running.url, subgraph.config.CLAIMS_SIGNING_SECRET, person, INBOX, {}, { 'accept-language': 'zh-CN' });
    expect(zh.data!.myNotifications.edges[0]!.node).toMatchObject({ title: '订单已派单', body: '您的订单「楼道灯不亮」（KZ-20261128-0042）已派至实践站，请留意接单进展。' });
    const en = await subgraph.ask<Inbox>(INBOX, {}, person);
    expect(en.data!.myNotifications.edges[0]!.node).toMatchObject({ title: 'Your order was dispatched', body: expect.stringContaining('KZ-20261128-0042') });
  });
});

describe('preferences', () => {
  const SET = `mutation($input: SetNotificationPreferenceInput!) { setNotificationPreference(input: $input) { kind channels updatedAt } }`;

  it('store a person’s channels per kind, always with the inbox', async () => {
    const person = aCaller.resident('950');
    const set = await subgraph.ask<{ setNotificationPreference: { kind: string; channels: string[] } }>(SET, { input: { kind: 'order.accepted', channels: ['WECHAT'] } }, person);
    expect(set.data!.setNotificationPreference).toMatchObject({ kind: 'order.accepted', channels: ['INBOX', 'WECHAT'] });
    await subgraph.ask(SET, { input: { kind: '*', channels: ['INBOX'] } }, person);
    await subgraph.ask(SET, { input: { kind: 'order.accepted', channels: ['SMS', 'INBOX'] } }, person);
    const mine = await subgraph.ask<{ myNotificationPreferences: { kind: string; channels: string[] }[] }>('{ myNotificationPreferences { kind channels } }', {}, person);
    expect(mine.data!.myNotificationPreferences).toEqual([
      { kind: '*', channels: ['INBOX'] },
      { kind: 'order.accepted', channels: ['INBOX', 'SMS'] },
    ]);
    expect((await subgraph.ask<{ myNotificationPreferences: unknown[] }>('{ myNotificationPreferences { kind } }', {}, liu)).data!.myNotificationPreferences).toEqual([]);
  });

  it('refuse a kind nobody is notified of', async () => {
    const refused = await subgraph.ask(SET, { input: { kind: 'org.unit.created', channels: ['SMS'] } }, zhou);
    expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors![0]!.extensions!.field).toBe('input.kind');
  });
});

describe('the dead-letter list', () => {
  const FAILED = `query($first: Int) { failedNotifications(first: $first) { totalCount edges { node {
    id channel status attempts lastError address recipient { id } notification { id title link } } } } }`;
  type Failed = { failedNotifications: { totalCount: number; edges: { node: Record<string, unknown> & { id: string } }[] } };
  const RETRY = `mutation($input: RetryNotificationInput!) { retryNotification(input: $input) { id status attempts nextAttemptAt } }`;
  let yingbin: string;
  let donghe: string;
  let yunfeng: string;

  beforeAll(async () => {
    yingbin = await aDeadLetter('1/7/123');
    donghe = await aDeadLetter('1/7/124');
    yunfeng = await aDeadLetter('1/8/200', '918');
  });

  it('is for the center and the dispatchers everywhere, for institute and station admins in their subtree, for nobody else', async () => {
    const seen = async (who: Claims) => (await subgraph.ask<Failed>(FAILED, { first: 100 }, who)).data!.failedNotifications.edges.map((edge) => edge.node.id);
    expect(await seen(centerAdmin)).toEqual(expect.arrayContaining([yunfeng, donghe, yingbin]));
    expect(await seen(dispatcher)).toEqual(expect.arrayContaining([yunfeng, donghe, yingbin]));
    expect(await seen(hanfengAdmin)).toEqual(expect.arrayContaining([donghe, yingbin]));
    expect(await seen(hanfengAdmin)).not.toContain(yunfeng);
    expect(await seen(yingbinAdmin)).toEqual([yingbin]);
    expect(errorCodes(await subgraph.ask(FAILED, {}, zhou))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await subgraph.ask(FAILED, {}, aCaller.staff('GRID_WORKER', { id: '123', path: '1/7/123' })))).toEqual(['FORBIDDEN']);
  });

  it('shows why each failed, the number masked, what it carried and for whom', async () => {
    const result = await subgraph.ask<Failed>(FAILED, { first: 1 }, yingbinAdmin);
    expect(result.data!.failedNotifications.edges[0]!.node).toMatchObject({
      id: yingbin,
      channel: 'SMS',
      status: 'DEAD',
      attempts: 1,
      lastError: 'HTTP 400: bad template',
      address: '139****0008',
      recipient: { id: '908' },
      notification: { title: 'Your order was dispatched', link: 'order:42' },
    });
  });

  it('re-queues a dead letter through the outbox, once, for staff in scope only', async () => {
    expect(errorCodes(await subgraph.ask(RETRY, { input: { deliveryId: donghe } }, yingbinAdmin))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await subgraph.ask(RETRY, { input: { deliveryId: '999999' } }, yingbinAdmin))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await subgraph.ask(RETRY, { input: { deliveryId: '999999' } }, centerAdmin))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await subgraph.ask(RETRY, { input: { deliveryId: donghe } }, zhou))).toEqual(['FORBIDDEN']);

    const retried = await subgraph.ask<{ retryNotification: { status: string; attempts: number } }>(RETRY, { input: { deliveryId: donghe } }, dongheAdmin);
    expect(retried.errors).toBeUndefined();
    expect(retried.data!.retryNotification).toMatchObject({ status: 'PENDING', attempts: 0 });
    const again = await subgraph.ask(RETRY, { input: { deliveryId: donghe } }, dongheAdmin);
    expect(errorCodes(again)).toEqual(['INVALID_TRANSITION']);

    const [row] = await db().query('SELECT status, revision FROM delivery WHERE id = $1', [donghe]);
    expect(row).toEqual({ status: 'PENDING', revision: 1 });
    const events = await db().query(`SELECT id, payload FROM outbox WHERE type = 'notification.delivery.due'`);
    expect(events.map((event: { payload: unknown }) => event.payload)).toEqual([{ deliveryId: donghe, revision: 1, dueAt: expect.any(String) }]);
    // The relay hands it to the worker's queue.
    const redis = new IORedis(subgraph.config.REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('notifications', { connection: redis, prefix: subgraph.config.QUEUE_PREFIX });
    try {
      const job = await eventuallyValue(async () => (await queue.getJob(events[0].id)) ?? undefined);
      expect(job.data).toMatchObject({ type: 'notification.delivery.due', payload: { deliveryId: donghe, revision: 1 } });
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });

  it('re-queues a dead letter once when two staff retry it at the same moment', async () => {
    const letter = await aDeadLetter('1/7/123');
    const results = await Promise.all([centerAdmin, dispatcher, yingbinAdmin, hanfengAdmin].map((who) => subgraph.ask(RETRY, { input: { deliveryId: letter } }, who)));
    expect(results.filter((result) => !result.errors)).toHaveLength(1);
    expect(results.flatMap(errorCodes)).toEqual(['INVALID_TRANSITION', 'INVALID_TRANSITION', 'INVALID_TRANSITION']);
    const events = await db().query(`SELECT 1 FROM outbox WHERE type = 'notification.delivery.due' AND payload->>'deliveryId' = $1`, [letter]);
    expect(events).toHaveLength(1);
  });

  it('reads the notifications of a whole page in one statement', async () => {
    for (let i = 0; i < 5; i += 1) await aDeadLetter('1/7/123');
    const statements = async (first: number) => {
      const result = await signedSubgraphRequest(subgraph.running.url, subgraph.config.CLAIMS_SIGNING_SECRET, centerAdmin, FAILED, { first });
      expect(result.errors).toBeUndefined();
      return Number(result.headers.get(SQL_STATEMENTS_HEADER));
    };
    expect(await statements(8)).toBe(await statements(1));
  });
});

describe('the dead-letter list after a re-org', () => {
  const FAILED = `{ failedNotifications(first: 100) { edges { node { id } } } }`;
  const RETRY = `mutation($input: RetryNotificationInput!) { retryNotification(input: $input) { id status } }`;
  const yunfengAdmin = aCaller.staff('INSTITUTE_ADMIN', { id: '8', path: '1/8' }, '914');
  const seen = async (who: Claims) =>
    (await subgraph.ask<{ failedNotifications: { edges: { node: { id: string } }[] } }>(FAILED, {}, who)).data!.failedNotifications.edges.map((edge) => edge.node.id);
  const moved = (): EventEnvelope<'org.unit.moved'> => ({
    id: randomUUID(),
    type: 'org.unit.moved',
    version: 1,
    occurredAt: new Date().toISOString(),
    actor: { personId: '901', roles: ['CENTER_ADMIN'] },
    unitPath: '1/8/125',
    payload: { unitId: '125', oldPath: '1/7/125', newPath: '1/8/125', oldParentId: '7', newParentId: '8' },
  });

  it('follows a station moved to another institute: its new institute’s admin sees it, the old one no longer sees or retries it', async () => {
    const station = await aDeadLetter('1/7/125');
    const point = await aDeadLetter('1/7/125/1251');
    const lookAlike = await aDeadLetter('1/7/1250');
    expect(await seen(hanfengAdmin)).toEqual(expect.arrayContaining([station, point, lookAlike]));
    expect(await seen(yunfengAdmin)).not.toContain(station);

    // What the notification worker does with `org.unit.moved` (the worker is not running here).
    const event = moved();
    expect(await followUnitMove(db(), event)).toBe(true);
    expect(await followUnitMove(db(), event)).toBe(false);

    const hanfeng = await seen(hanfengAdmin);
    expect(hanfeng).toContain(lookAlike);
    expect(hanfeng).not.toContain(station);
    expect(hanfeng).not.toContain(point);
    expect(await seen(yunfengAdmin)).toEqual(expect.arrayContaining([station, point]));
    expect(await seen(yunfengAdmin)).not.toContain(lookAlike);
    expect(await seen(aCaller.staff('STATION_ADMIN', { id: '125', path: '1/8/125' }))).toEqual([point, station]);
    expect(errorCodes(await subgraph.ask(RETRY, { input: { deliveryId: station } }, hanfengAdmin))).toEqual(['FORBIDDEN']);
    const [row] = await db().query('SELECT status FROM delivery WHERE id = $1', [station]);
    expect(row).toEqual({ status: 'DEAD' });
  });
});
