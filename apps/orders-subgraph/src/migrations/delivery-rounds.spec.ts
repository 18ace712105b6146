import type { DataSource } from 'typeorm';
import { createServiceDataSource, openServiceDatabase } from '@kz/db';
import { createTestDatabase, testConfig, TestDatabase } from '@kz/testing';
import { ordersMigrations } from '../app';
import { DeliveryRounds1765170000000 } from './1765170000000-delivery-rounds';

const config = testConfig();
let db: TestDatabase;
let before: DataSource;
let after: DataSource | undefined;

beforeAll(async () => {
  db = await createTestDatabase(config, 'orders_rounds');
  // The schema as it was before this migration (later ones may build on what it adds).
  const earlier = ordersMigrations.slice(0, ordersMigrations.indexOf(DeliveryRounds1765170000000));
  before = await openServiceDatabase(createServiceDataSource({ config, database: db.name, entities: [], migrations: earlier }), config);
});

afterAll(async () => {
  if (before.isInitialized) await before.destroy();
  if (after?.isInitialized) await after.destroy();
  await db?.drop();
});

/** An order as the code before delivery rounds left it, with the minutes on its assignees. */
async function anOrder(code: string, columns: Record<string, unknown>, minutes: Record<string, number | null>): Promise<string> {
  const names = Object.keys(columns);
  const [{ id }] = await before.query(
    `INSERT INTO service_order (code, title, station_id, station_path, ${names.join(', ')})
     VALUES ($1, '楼道灯坏了', 5, '1/2/5', ${names.map((_, i) => `$${i + 2}`).join(', ')}) RETURNING id::text`,
    [code, ...Object.values(columns)],
  );
  for (const [volunteerId, served] of Object.entries(minutes)) {
    await before.query('INSERT INTO order_assignee (order_id, volunteer_id, minutes) VALUES ($1, $2, $3)', [id, volunteerId, served]);
  }
  return id;
}

describe('the delivery rounds migration', () => {
  it('makes each delivered order round 1 with its minutes, and its evaluation only when it came after that delivery', async () => {
    const delivered = new Date('2026-11-28T03:00:00Z');
    const evaluated = new Date('2026-11-28T05:00:00Z');
    const accepted = await anOrder('KZ-20261128-0001', { status: 'ACCEPTED' }, { 31: null });
    const done = await anOrder(
      'KZ-20261128-0002',
      { status: 'EVALUATED', delivered_at: delivered, outcome: 'FULL', delivery_note: '已修好', evaluated_at: evaluated, rating: 5, resolved: 'YES', comment: '谢谢' },
      { 31: 90, 32: 60 },
    );
    // Reopened after a NO: the evaluation was of that delivery.
    const reopened = await anOrder(
      'KZ-20261128-0003',
      { status: 'ACCEPTED', delivered_at: delivered, outcome: 'PARTIAL', delivery_note: '临时处理', evaluated_at: evaluated, rating: 2, resolved: 'NO' },
      { 31: 30 },
    );
    // Redelivered after a NO: the NO was of an earlier delivery, whose minutes were overwritten.
    const redelivered = await anOrder(
      'KZ-20261128-0004',
      { status: 'DELIVERED', delivered_at: new Date('2026-11-29T03:00:00Z'), outcome: 'FULL', delivery_note: '换了灯', evaluated_at: evaluated, rating: 2, resolved: 'NO' },
      { 31: 45 },
    );
    await before.destroy();

    after = await openServiceDatabase(createServiceDataSource({ config, database: db.name, entities: [], migrations: ordersMigrations }), config);
    const rounds = await after.query(
      `SELECT order_id::text, round, delivered_at, outcome, note, rating, resolved, comment, evaluated_at FROM order_delivery ORDER BY order_id, round`,
    );
    expect(rounds).toEqual([
      { order_id: done, round: 1, delivered_at: delivered, outcome: 'FULL', note: '已修好', rating: 5, resolved: 'YES', comment: '谢谢', evaluated_at: evaluated },
      { order_id: reopened, round: 1, delivered_at: delivered, outcome: 'PARTIAL', note: '临时处理', rating: 2, resolved: 'NO', comment: null, evaluated_at: evaluated },
      {
        order_id: redelivered,
        round: 1,
        delivered_at: new Date('2026-11-29T03:00:00Z'),
        outcome: 'FULL',
        note: '换了灯',
        rating: null,
        resolved: null,
        comment: null,
        evaluated_at: null,
      },
    ]);
    expect(await after.query('SELECT order_id::text, round, volunteer_id::text, minutes FROM order_delivery_minutes ORDER BY order_id, volunteer_id')).toEqual([
      { order_id: done, round: 1, volunteer_id: '31', minutes: 90 },
      { order_id: done, round: 1, volunteer_id: '32', minutes: 60 },
      { order_id: reopened, round: 1, volunteer_id: '31', minutes: 30 },
      { order_id: redelivered, round: 1, volunteer_id: '31', minutes: 45 },
    ]);
    // The assignments stay; their minutes now live in the rounds.
    expect(await after.query('SELECT order_id::text, volunteer_id::text FROM order_assignee ORDER BY order_id, volunteer_id')).toEqual([
      { order_id: accepted, volunteer_id: '31' },
      { order_id: done, volunteer_id: '31' },
      { order_id: done, volunteer_id: '32' },
      { order_id: reopened, volunteer_id: '31' },
      { order_id: redelivered, volunteer_id: '31' },
    ]);
    const [column] = await after.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'order_assignee' AND column_name = 'minutes'`);
    expect(column).toBeUndefined();
  });
});
