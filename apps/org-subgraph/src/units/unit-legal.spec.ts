import type { Claims } from '@kz/auth';
import { orgDataset } from '@kz/seed-data';
import { RunningSubgraph } from '@kz/subgraph';
import { aCaller, errorCodes, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { seedOrg, startOrgSubgraph } from '../app';

/** A unit's legal identity for certificates (办法 Art. 15): set with `updateUnit`, public, carried by `org.unit.updated`. */
const UPDATE = `mutation($input: UpdateUnitInput!) { updateUnit(input: $input) { id legal { legalName uscc headName } } }`;
const READ = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on PracticeUnit { legal { legalName uscc headName } } } }`;
const resident: Claims = { sub: '950', roles: ['RESIDENT'] };
const center: Claims = { sub: '901', roles: ['CENTER_ADMIN'], unitId: '1', unitPath: '1' };

let alone: SubgraphAlone<RunningSubgraph>;
let yingbin: { id: string; path: string };
let yongxian: { id: string; path: string };

beforeAll(async () => {
  alone = await startSubgraphAlone('ORG_DATABASE', (config) => startOrgSubgraph(config, { port: 0 }), center);
  await seedOrg(alone.running.dataSource, orgDataset('kaizhou'));
  const unit = async (code: string) => (await alone.running.dataSource.query('SELECT id::text, path FROM practice_unit WHERE code = $1', [code]))[0];
  yingbin = await unit('KZ-HANFENG-YINGBIN');
  yongxian = await unit('KZ-YUNFENG-YONGXIAN');
});

afterAll(() => alone?.stop());

const LEGAL = { legalName: '重庆市开州区汉丰街道迎宾社区居民委员会', uscc: '91440300708461136t', headName: '陈书记' };

it('the unit’s own admin sets it, the USCC checked; any signed-in caller reads it; the event carries it', async () => {
  const own = aCaller.staff('STATION_ADMIN', yingbin, '902');
  const bad = await alone.ask(UPDATE, { input: { id: yingbin.id, legal: { ...LEGAL, uscc: '91440300708461136X' } } }, own);
  expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
  expect(bad.errors![0]!.extensions).toMatchObject({ field: 'input.legal.uscc' });
  // Another station's admin may not.
  expect(errorCodes(await alone.ask(UPDATE, { input: { id: yingbin.id, legal: LEGAL } }, aCaller.staff('STATION_ADMIN', yongxian, '903')))).toEqual(['FORBIDDEN']);

  const set = await alone.ask<{ updateUnit: { legal: unknown } }>(UPDATE, { input: { id: yingbin.id, legal: LEGAL } }, own);
  expect(set.errors).toBeUndefined();
  const expected = { ...LEGAL, uscc: '91440300708461136T' };
  expect(set.data!.updateUnit.legal).toEqual(expected);
  const read = await alone.ask<{ _entities: { legal: unknown }[] }>(READ, { representations: [{ __typename: 'PracticeUnit', id: yingbin.id }] }, resident);
  expect(read.errors).toBeUndefined();
  expect(read.data!._entities[0]!.legal).toEqual(expected);
  const [event] = await alone.running.dataSource.query(
    `SELECT payload FROM outbox WHERE type = 'org.unit.updated' AND payload->>'unitId' = $1 ORDER BY occurred_at DESC LIMIT 1`,
    [yingbin.id],
  );
  expect(event.payload.legal).toEqual(expected);

  // The center clears it; a name change alone leaves it as it is.
  await alone.ask(UPDATE, { input: { id: yingbin.id, name: '迎宾社区新时代文明实践站' } }, center);
  expect((await alone.ask<{ _entities: { legal: unknown }[] }>(READ, { representations: [{ __typename: 'PracticeUnit', id: yingbin.id }] }, resident)).data!._entities[0]!.legal).toEqual(expected);
  const cleared = await alone.ask<{ updateUnit: { legal: unknown } }>(UPDATE, { input: { id: yingbin.id, legal: null } }, center);
  expect(cleared.data!.updateUnit.legal).toBeNull();
});
