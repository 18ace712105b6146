import type { FakeDirectory } from './fake-directory';

/**
 * A small district in the fake directory: the center (1) with a dispatcher and its admin, 汉丰 institute (7) with
 * 迎宾 (123) and 东河 (124) stations, 云枫 institute (8) with 永县 station (200); a resident who places orders, two
 * volunteers, and their accounts. Person ids are the names' numbers.
 */
export const P = {
  centerAdmin: '901',
  dispatcher: '902',
  hanfengAdmin: '904',
  yunfengAdmin: '914',
  yingbinAdmin: '905',
  donghe: '915',
  gridWorker: '906',
  heYi: '907',
  li: '917',
  zhou: '908',
  liu: '918',
  noPhone: '919',
} as const;

export const V = { heYi: '70', li: '71' } as const;
export const A = { zhou: '501', heYi: '502', liu: '503' } as const;

export function seedWorld(fake: FakeDirectory): void {
  for (const [unit, parent] of [
    ['1', null],
    ['7', '1'],
    ['8', '1'],
    ['123', '7'],
    ['124', '7'],
    ['200', '8'],
    ['1230', '123'], // a practice point of 迎宾
  ] as const) {
    fake.units.set(unit, parent);
  }
  fake.staff.push(
    { personId: P.centerAdmin, role: 'CENTER_ADMIN', unitId: '1' },
    { personId: P.dispatcher, role: 'DISPATCHER', unitId: '1' },
    { personId: P.hanfengAdmin, role: 'INSTITUTE_ADMIN', unitId: '7' },
    { personId: P.yunfengAdmin, role: 'INSTITUTE_ADMIN', unitId: '8' },
    { personId: P.yingbinAdmin, role: 'STATION_ADMIN', unitId: '123' },
    { personId: P.donghe, role: 'STATION_ADMIN', unitId: '124' },
    { personId: P.gridWorker, role: 'GRID_WORKER', unitId: '123' },
  );
  const names: Record<string, string> = {
    [P.centerAdmin]: '开*',
    [P.dispatcher]: '派*',
    [P.hanfengAdmin]: '汉*',
    [P.yunfengAdmin]: '云*',
    [P.yingbinAdmin]: '迎*',
    [P.donghe]: '东*',
    [P.gridWorker]: '网*',
    [P.heYi]: '何*',
    [P.li]: '李**',
    [P.zhou]: '周**',
    [P.liu]: '刘*',
  };
  for (const [personId, name] of Object.entries(names)) fake.people.set(personId, { mobile: `1390023${personId.padStart(4, '0')}`, name });
  fake.people.set(P.noPhone, { mobile: null, name: '无*' });
  fake.volunteers.set(V.heYi, P.heYi);
  fake.volunteers.set(V.li, P.li);
  fake.accounts.set(A.zhou, P.zhou);
  fake.accounts.set(A.heYi, P.heYi);
  fake.accounts.set(A.liu, P.liu);
}

let serial = 4000;

/** A fresh order of 周建华's in the fake, dispatched to 迎宾 unless told otherwise. */
export function anOrder(fake: FakeDirectory, overrides: Partial<import('./fake-directory').FakeOrder> = {}) {
  serial += 1;
  const id = String(serial);
  const order = {
    id,
    code: `KZ-20261128-${String(serial).padStart(4, '0')}`,
    title: '楼道灯不亮',
    status: 'DISPATCHED',
    urgency: 'NORMAL',
    category: 'ELDERLY_CARE',
    requester: P.zhou as string | null,
    station: '123' as string | null,
    assignees: [] as string[],
    ...overrides,
  };
  fake.orders.set(id, order);
  return order;
}
