import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createPlatformTables, createServiceDataSource, openServiceDatabase } from '@kz/db';
import type { EventEnvelope, EventHandler } from '@kz/events';
import { createTestDatabase, testConfig, TestDatabase } from '@kz/testing';
import { findUnit, rewritePathColumns, unitReplicaHandlers } from './index';

const config = testConfig();
let db: TestDatabase;
let dataSource: DataSource;

class Tables1700000000000 {
  name = 'Tables1700000000000';
  async up(runner: { query(sql: string): Promise<unknown> }) {
    await createPlatformTables(runner as never);
    await runner.query(`CREATE TABLE unit_ref (id bigint PRIMARY KEY, code text NOT NULL UNIQUE, path text NOT NULL, level text NOT NULL,
      name text NOT NULL, version timestamptz NOT NULL)`);
    await runner.query('CREATE TABLE thing (id int PRIMARY KEY, unit_path text)');
  }
  async down() {}
}

beforeAll(async () => {
  db = await createTestDatabase(config, 'replica');
  dataSource = await openServiceDatabase(createServiceDataSource({ config, database: db.name, entities: [], migrations: [Tables1700000000000] }), config);
});
afterAll(async () => {
  await dataSource.destroy();
  await db.drop();
});

function envelope<T extends 'org.unit.created' | 'org.unit.updated' | 'org.unit.moved'>(type: T, payload: EventEnvelope<T>['payload'], occurredAt: string): EventEnvelope<T> {
  return { id: randomUUID(), type, version: 1, occurredAt, actor: { system: 'test' }, unitPath: null, payload } as EventEnvelope<T>;
}

describe('the unit replica', () => {
  it('applies events once, ignores an older one arriving late, and moves stored paths with the unit', async () => {
    const handlers = unitReplicaHandlers(dataSource, 'test.replica', [{ table: 'thing', column: 'unit_path' }]);
    const run = <T extends keyof typeof handlers>(type: T, event: EventEnvelope) => (handlers[type] as EventHandler)(event, {} as never);
    await run('org.unit.created', envelope('org.unit.created', { unitId: '5', code: 'S5', level: 'STATION', parentId: '2', name: '旧名', path: '1/2/5' }, '2026-01-01T00:00:00Z'));
    const renamed = envelope('org.unit.updated', { unitId: '5', code: 'S5', level: 'STATION', parentId: '2', name: '新名', path: '1/2/5' }, '2026-01-03T00:00:00Z');
    await Promise.all([run('org.unit.updated', renamed), run('org.unit.updated', renamed)]);
    await run('org.unit.updated', envelope('org.unit.updated', { unitId: '5', code: 'S5', level: 'STATION', parentId: '2', name: '更旧', path: '1/2/5' }, '2026-01-02T00:00:00Z'));
    expect(await findUnit(dataSource.manager, '5')).toMatchObject({ name: '新名', path: '1/2/5' });

    await dataSource.query(`INSERT INTO thing VALUES (1, '1/2/5'), (2, '1/2/5/9'), (3, '1/2/50')`);
    await run('org.unit.moved', envelope('org.unit.moved', { unitId: '5', oldPath: '1/2/5', newPath: '1/3/5', oldParentId: '2', newParentId: '3' }, '2026-01-04T00:00:00Z'));
    expect(await dataSource.query('SELECT id, unit_path FROM thing ORDER BY id')).toEqual([
      { id: 1, unit_path: '1/3/5' },
      { id: 2, unit_path: '1/3/5/9' },
      { id: 3, unit_path: '1/2/50' },
    ]);
    expect((await findUnit(dataSource.manager, '5'))!.path).toBe('1/3/5');
    expect(await findUnit(dataSource.manager, 'x')).toBeNull();
  });

  it('rewrites only the given columns for a service without a replica', async () => {
    await dataSource.query(`INSERT INTO thing VALUES (11, '1/4/6'), (12, '1/4/6/8'), (13, '1/4/60'), (14, NULL)`);
    await dataSource.transaction((manager) => rewritePathColumns(manager, [{ table: 'thing', column: 'unit_path' }], '1/4/6', '1/3/5/6'));
    expect(await dataSource.query('SELECT id, unit_path FROM thing WHERE id > 10 ORDER BY id')).toEqual([
      { id: 11, unit_path: '1/3/5/6' },
      { id: 12, unit_path: '1/3/5/6/8' },
      { id: 13, unit_path: '1/4/60' },
      { id: 14, unit_path: null },
    ]);
    await dataSource.transaction((manager) => rewritePathColumns(manager, [{ table: 'thing', column: 'unit_path' }], '1/3/5', '1/2/5'));
    expect((await findUnit(dataSource.manager, '5'))!.path).toBe('1/3/5');
  });
});
