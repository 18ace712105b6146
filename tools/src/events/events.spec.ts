import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DataSource } from 'typeorm';
import { EventStream, openAnalyticsDatabase } from '@kz/analytics-worker';
import { dropDatabase } from '@kz/db';
import { catalog, EventEnvelope, EventType } from '@kz/events';
import { testConfig, uniqueName } from '@kz/testing';
import { UsageError } from '../shared/args';
import { eventsCommand, formatAge, parseEventsArgs, parseReplayArgs, replayCommand } from './events';

const config = testConfig({ ANALYTICS_DATABASE: uniqueName('analytics') });
const WORKSPACE = join(__dirname, '..', '..', '..');
let db: DataSource;
let stream: EventStream;

beforeAll(async () => {
  db = await openAnalyticsDatabase(config);
  stream = new EventStream(db);
});

afterAll(async () => {
  await db.destroy();
  await dropDatabase(config, config.ANALYTICS_DATABASE);
});

function anEvent(type: EventType, occurredAt: string): EventEnvelope {
  return {
    id: randomUUID(),
    type,
    version: catalog[type].version,
    occurredAt,
    actor: { system: 'test' },
    unitPath: '1/2/5',
    payload: { orderId: '42' },
  } as unknown as EventEnvelope;
}

/** Runs `npm run events:replay -- …` as an analyst would, against the test's analytics database. */
async function runReplayScript(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('npm', ['run', '-s', 'events:replay', '--', ...args], {
      cwd: WORKSPACE,
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', ANALYTICS_DATABASE: config.ANALYTICS_DATABASE },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const usage = (fn: () => unknown, message: RegExp) => {
  expect(fn).toThrow(UsageError);
  expect(fn).toThrow(message);
};
const waiting = async () => Object.fromEntries((await stream.subscriptions()).map((s) => [s.name, s.waiting]));
const drain = async (name: string) => stream.ack(name, (await stream.read(name, 'test', 1000)).map((entry) => entry.pos));

describe('npm run events / events:replay: arguments', () => {
  const now = new Date('2026-03-05T12:00:00Z');

  it('reads a replay range: a date is midnight UTC, a date-time carries its zone, the end defaults to now', () => {
    expect(parseReplayArgs(['--subscription', 'warehouse', '--since', '2026-03-01'], now)).toEqual({
      subscription: 'warehouse',
      since: new Date('2026-03-01T00:00:00Z'),
      until: now,
      types: undefined,
    });
    expect(parseReplayArgs(['--subscription', 'w', '--since', '2026-03-01T08:00+08:00', '--until=2026-03-02T00:00:00.500Z', '--types', 'order.*, points.credited'], now)).toEqual({
      subscription: 'w',
      since: new Date('2026-03-01T00:00:00Z'),
      until: new Date('2026-03-02T00:00:00.500Z'),
      types: ['order.*', 'points.credited'],
    });
  });

  it('refuses a bad date, a range that ends before it starts, a pattern that matches no event, an unknown option', () => {
    usage(() => parseReplayArgs(['--subscription', 'w', '--since', 'yesterday'], now), /--since: "yesterday" is not an ISO-8601 date/);
    usage(() => parseReplayArgs(['--subscription', 'w', '--since', '2026-02-30'], now), /--since: "2026-02-30" is not a date of the calendar/);
    usage(() => parseReplayArgs(['--subscription', 'w', '--since', '2026-03-01T08:00:00'], now), /with its zone/);
    usage(() => parseReplayArgs(['--subscription', 'w', '--since', '2026-03-01', '--until', '2026-13-01'], now), /--until: "2026-13-01"/);
    usage(() => parseReplayArgs(['--subscription', 'w', '--since', '2026-03-02', '--until', '2026-03-01'], now), /--since \(2026-03-02T00:00:00.000Z\) must be before --until/);
    usage(() => parseReplayArgs(['--subscription', 'w', '--since', '2026-03-05T12:00:00Z'], now), /must be before --until \(2026-03-05T12:00:00.000Z, now\)/);
    usage(() => parseReplayArgs(['--subscription', 'w', '--since', '2026-03-01', '--types', 'order.*,orderz.*'], now), /--types: "orderz.\*" matches no event type/);
    usage(() => parseReplayArgs(['--since', '2026-03-01'], now), /--subscription is required\nusage: npm run events:replay/);
    usage(() => parseReplayArgs(['--subscription', 'w', '--sinse', '2026-03-01'], now), /unknown option --sinse/);
  });

  it('reads subscribe, unsubscribe and list, and refuses what the stream would refuse', () => {
    expect(parseEventsArgs(['subscribe', '--name', 'warehouse', '--types', 'order.*,points.*', '--max-entries', '500', '--max-age-days', '0.5'])).toEqual({
      command: 'subscribe',
      name: 'warehouse',
      types: ['order.*', 'points.*'],
      maxEntries: 500,
      maxAgeSeconds: 12 * 3600,
    });
    expect(parseEventsArgs(['unsubscribe', '--name', 'warehouse'])).toEqual({ command: 'unsubscribe', name: 'warehouse' });
    expect(parseEventsArgs(['list'])).toEqual({ command: 'list' });
    usage(() => parseEventsArgs([]), /^usage: npm run events -- subscribe/);
    usage(() => parseEventsArgs(['subscibe']), /unknown command "subscibe"/);
    usage(() => parseEventsArgs(['subscribe', '--name', 'w']), /--types is required/);
    usage(() => parseEventsArgs(['subscribe', '--name', 'w', '--types', 'nothing.*']), /"nothing.\*" matches no event type/);
    usage(() => parseEventsArgs(['subscribe', '--name', 'Ware House', '--types', '*']), /name "Ware House"/);
    usage(() => parseEventsArgs(['subscribe', '--name', 'w', '--types', '*', '--max-entries', '0']), /--max-entries: a whole number of at least 1/);
    usage(() => parseEventsArgs(['subscribe', '--name', 'w', '--types', '*', '--max-age-days', '-1']), /--max-age-days: a number of days above 0/);
    usage(() => parseEventsArgs(['unsubscribe']), /--name is required/);
  });

  it('shows ages at a glance', () => {
    expect([0, 59.9, 65, 3600 * 2 + 300, 86400 * 3 + 3600 * 4].map(formatAge)).toEqual(['0s', '59s', '1m 05s', '2h 05m', '3d 4h']);
  });
});

describe('npm run events / events:replay against the analytics database', () => {
  it('subscribes, lists with the lag, updates without losing entries, and unsubscribes', async () => {
    expect(await eventsCommand(['subscribe', '--name', 'warehouse', '--types', 'order.*,points.*', '--max-entries', '500'], config)).toMatch(
      /^subscribed warehouse to order\.\*, points\.\*; keeps at most 500 entries, 7d\. It receives the events archived from now on/,
    );
    expect(await eventsCommand(['list'], config)).toMatch(/\nwarehouse\s+order\.\*,points\.\*\s+0\s+-\s+0\s+0\s+500 entries, 7d$/);
    await stream.archive(anEvent('order.submitted', new Date(Date.now() - 1000).toISOString()));
    await stream.archive(anEvent('points.credited', new Date().toISOString()));
    await stream.archive(anEvent('volunteer.registered', new Date().toISOString()));
    await stream.ack('warehouse', (await stream.read('warehouse', 'test', 1)).map((entry) => entry.pos));

    const table = (await eventsCommand(['list'], config)).split('\n');
    expect(table[0]).toMatch(/^name\s+types\s+waiting\s+oldest age\s+acked\s+dropped\s+retention$/);
    expect(table[1]).toMatch(/^warehouse\s+order\.\*,points\.\*\s+1\s+\d+s\s+1\s+0\s+500 entries, 7d$/);

    // Types and one part of the retention change; the other part and the waiting entry stay.
    expect(await eventsCommand(['subscribe', '--name', 'warehouse', '--types', 'points.*', '--max-age-days', '2'], config)).toBe(
      'updated warehouse: points.*; keeps at most 500 entries, 2d (was order.*, points.*; 500 entries, 7d); its 1 waiting entries stay',
    );
    expect(await stream.subscriptions()).toEqual([
      expect.objectContaining({ name: 'warehouse', types: ['points.*'], maxEntries: 500, maxAgeSeconds: 2 * 86400, waiting: 1, acked: 1 }),
    ]);

    await expect(eventsCommand(['unsubscribe', '--name', 'warehuose'], config)).rejects.toThrow(new UsageError('unknown subscription "warehuose" (known: warehouse; npm run events -- list)'));
    expect(await eventsCommand(['unsubscribe', '--name', 'warehouse'], config)).toBe('removed subscription warehouse and its 1 waiting entries');
    expect(await eventsCommand(['list'], config)).toMatch(/^no subscriptions/);
  });

  it('warns when EVENT_SUBSCRIPTIONS will set a subscription back at the next start of the analytics worker', async () => {
    const configured = testConfig({
      ANALYTICS_DATABASE: config.ANALYTICS_DATABASE,
      EVENT_SUBSCRIPTIONS: JSON.stringify([{ name: 'configured', types: ['order.*'] }]),
    });
    expect(await eventsCommand(['subscribe', '--name', 'configured', '--types', 'order.*'], configured)).not.toMatch(/note:/);
    expect(await eventsCommand(['subscribe', '--name', 'configured', '--types', 'points.*'], configured)).toMatch(
      /\nnote: EVENT_SUBSCRIPTIONS defines configured otherwise; the analytics worker sets it back at its next start$/,
    );
    expect(await eventsCommand(['unsubscribe', '--name', 'configured'], configured)).toMatch(/the analytics worker creates it again at its next start$/);
  });

  it('replays a day into one subscription only, narrowed by types, and refuses what it cannot replay without changing anything', async () => {
    await eventsCommand(['subscribe', '--name', 'late', '--types', 'order.*,points.credited'], config);
    await eventsCommand(['subscribe', '--name', 'other', '--types', '*'], config);
    const day = [
      anEvent('order.submitted', '2025-03-31T23:59:59Z'),
      anEvent('order.closed', '2025-04-01T00:00:00Z'),
      anEvent('points.credited', '2025-04-01T15:00:00+08:00'),
      anEvent('volunteer.registered', '2025-04-01T10:00:00Z'),
      anEvent('order.closed', '2025-04-02T00:00:00Z'),
    ];
    for (const event of day) await stream.archive(event);
    await drain('late');
    await drain('other');

    // Refused: nothing is copied anywhere.
    await expect(replayCommand(['--subscription', 'nobody', '--since', '2025-04-01'], config)).rejects.toThrow(/unknown subscription "nobody" \(known: late, other;/);
    await expect(replayCommand(['--subscription', 'late', '--since', '2025-04-01', '--types', 'volunteer.*'], config)).rejects.toThrow(
      new UsageError('--types: "volunteer.*" matches none of the event types late wants (order.*, points.credited); nothing to replay'),
    );
    await expect(replayCommand(['--subscription', 'late', '--since', '2025-04-02', '--until', '2025-04-01'], config)).rejects.toThrow(UsageError);
    expect(await waiting()).toEqual({ late: 0, other: 0 });

    expect(await replayCommand(['--subscription', 'late', '--since', '2025-04-01', '--until', '2025-04-02', '--types', 'points.*'], config)).toMatch(
      /^re-delivered 1 events into late \(occurred from 2025-04-01T00:00:00.000Z until 2025-04-02T00:00:00.000Z, types points\.\*\)/,
    );
    expect(await replayCommand(['--subscription', 'late', '--since', '2025-04-01', '--until', '2025-04-02'], config)).toMatch(/^re-delivered 1 events into late/);
    expect(await waiting()).toEqual({ late: 2, other: 0 });
    // The second replay added only the order the first (points only) had left out, after it: in the order of the replays.
    expect((await stream.read('late', 'test', 10)).map((entry) => entry.event.id)).toEqual([day[2]!.id, day[1]!.id]);
  });

  it('runs as `npm run events:replay -- …`: the count on stdout and exit 0, or a clear message and exit 2', async () => {
    await eventsCommand(['subscribe', '--name', 'scripted', '--types', 'order.*'], config);
    await drain('scripted');
    const replayed = await runReplayScript(['--subscription', 'scripted', '--since', '2025-03-31T00:00:00Z', '--until', '2025-04-02T00:00:01Z']);
    expect(replayed).toMatchObject({ code: 0, stdout: expect.stringMatching(/^re-delivered 3 events into scripted/) });

    const refused = await runReplayScript(['--subscription', 'scripted', '--since', '2025-04-01T08:00']);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('--since: "2025-04-01T08:00" is not an ISO-8601 date or date-time with its zone') });
    expect((await waiting()).scripted).toBe(3);
  }, 60_000);
});
