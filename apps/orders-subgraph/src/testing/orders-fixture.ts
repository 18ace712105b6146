import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, TypeNode } from 'graphql';
import type { Claims } from '@kz/auth';
import { upsertUnitRefs } from '@kz/org-replica';
import type { RunningSubgraph } from '@kz/subgraph';
import { errorCodes, GraphQLResult, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startOrdersSubgraph } from '../app';
import { upsertVolunteerRefs } from '../replicas/volunteer-ref';

/**
 * The orders subgraph alone over a database of its own, with a small unit tree in its replica:
 * center 1 → institute 2 (stations 5 and 6) and institute 3 (station 7). Callers are signed as the gateway would.
 */
export const UNITS = [
  { id: '1', code: 'KZ', path: '1', level: 'CENTER' as const, name: '开州区新时代文明实践中心' },
  { id: '2', code: 'KZ-HF', path: '1/2', level: 'INSTITUTE' as const, name: '汉丰街道新时代文明实践所' },
  { id: '3', code: 'KZ-YF', path: '1/3', level: 'INSTITUTE' as const, name: '云枫街道新时代文明实践所' },
  { id: '5', code: 'KZ-HF-YB', path: '1/2/5', level: 'STATION' as const, name: '迎宾社区新时代文明实践站' },
  { id: '6', code: 'KZ-HF-DH', path: '1/2/6', level: 'STATION' as const, name: '东华社区新时代文明实践站' },
  { id: '7', code: 'KZ-YF-YX', path: '1/3/7', level: 'STATION' as const, name: '永先社区新时代文明实践站' },
];

const staff = (sub: string, role: Claims['roles'][number], unitId: string): Claims => ({
  sub,
  roles: ['RESIDENT', role],
  unitId,
  unitPath: UNITS.find((unit) => unit.id === unitId)!.path,
});

/** Who calls, by what they are. Volunteer 何毅 is person 301 with volunteer profile 31. */
export const as = {
  resident: { sub: '201', roles: ['RESIDENT'] } as Claims,
  otherResident: { sub: '202', roles: ['RESIDENT'] } as Claims,
  volunteer: { sub: '301', roles: ['RESIDENT', 'VOLUNTEER'] } as Claims,
  otherVolunteer: { sub: '302', roles: ['RESIDENT', 'VOLUNTEER'] } as Claims,
  gridWorker: staff('105', 'GRID_WORKER', '5'),
  stationAdmin: staff('106', 'STATION_ADMIN', '5'),
  otherStationAdmin: staff('107', 'STATION_ADMIN', '7'),
  instituteAdmin: staff('102', 'INSTITUTE_ADMIN', '2'),
  dispatcher: staff('101', 'DISPATCHER', '1'),
  centerAdmin: staff('100', 'CENTER_ADMIN', '1'),
  analyst: staff('103', 'ANALYST', '1'),
  service: { sub: 'dispatch-worker', roles: ['SERVICE'] } as Claims,
};
export type Caller = keyof typeof as;

export const VOLUNTEER_HE_YI = '31';
export const VOLUNTEER_OTHER = '32';

/** The input type of each mutation (its one `input` argument), read from the subgraph's own schema. */
const INPUT_TYPES: ReadonlyMap<string, string> = (() => {
  const document = parse(readFileSync(join(__dirname, '../../schema.graphql'), 'utf8'));
  const types = new Map<string, string>();
  for (const definition of document.definitions) {
    if ((definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) || definition.name.value !== 'Mutation') continue;
    for (const field of definition.fields ?? []) {
      const input = field.arguments?.find((argument) => argument.name.value === 'input');
      if (input) types.set(field.name.value, namedTypeOf(input.type));
    }
  }
  return types;
})();

function namedTypeOf(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeOf(type.type);
}

export interface OrderShape {
  id: string;
  code: string;
  status: string;
}

export interface OrdersFixture {
  alone: SubgraphAlone<RunningSubgraph>;
  ask<T = Record<string, unknown>>(query: string, variables: Record<string, unknown>, caller: Caller | Claims | null): Promise<GraphQLResult<T>>;
  /** Runs a mutation by name; the result's `data[name]` selects `fields`. */
  mutate<T = OrderShape>(name: string, input: Record<string, unknown>, caller: Caller | Claims, fields?: string): Promise<GraphQLResult<Record<string, T>>>;
  /** Runs a mutation that must succeed and returns its object. */
  must<T = OrderShape>(name: string, input: Record<string, unknown>, caller: Caller | Claims, fields?: string): Promise<T>;
  /** An order placed by the resident at station 5, moved on to `status` by the usual people. */
  orderIn(status: string): Promise<string>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export async function startOrdersFixture(env: Record<string, string> = {}): Promise<OrdersFixture> {
  const alone = await startSubgraphAlone('ORDERS_DATABASE', (config) => startOrdersSubgraph({ ...config, ...parseEnv(env) }, { port: 0 }), as.dispatcher);
  const { dataSource } = alone.running;
  await dataSource.transaction(async (manager) => {
    await upsertUnitRefs(manager, UNITS, new Date(0).toISOString());
    await upsertVolunteerRefs(
      manager,
      [
        { id: VOLUNTEER_HE_YI, personId: '301', status: 'ACTIVE', stationId: '5' },
        { id: VOLUNTEER_OTHER, personId: '302', status: 'ACTIVE', stationId: '5' },
      ],
      new Date(0).toISOString(),
    );
  });
  const claimsOf = (caller: Caller | Claims | null) => (caller === null ? null : typeof caller === 'string' ? as[caller] : caller);
  const ask = <T>(query: string, variables: Record<string, unknown>, caller: Caller | Claims | null) =>
    alone.ask<T>(query, variables, claimsOf(caller));
  const mutate = <T>(name: string, input: Record<string, unknown>, caller: Caller | Claims, fields = 'id code status') =>
    ask<Record<string, T>>(`mutation ($input: ${INPUT_TYPES.get(name)}!) { ${name}(input: $input) { ${fields} } }`, { input }, caller);
  const must = async <T>(name: string, input: Record<string, unknown>, caller: Caller | Claims, fields?: string): Promise<T> => {
    const result = await mutate<T>(name, input, caller, fields);
    if (result.errors || !result.data?.[name]) throw new Error(`${name} failed: ${JSON.stringify(result.errors)} (${errorCodes(result)})`);
    return result.data[name];
  };
  const steps: Record<string, (id: string) => Promise<unknown>> = {
    DISPATCHED: (id) => must('dispatchOrder', { orderId: id, stationId: '5' }, 'dispatcher'),
    ACCEPTED: (id) => must('acceptOrder', { orderId: id }, 'stationAdmin'),
    ASSIGNED: (id) => must('assignVolunteers', { orderId: id, volunteerIds: [VOLUNTEER_HE_YI] }, 'stationAdmin'),
    IN_PROGRESS: (id) => must('startService', { orderId: id }, 'stationAdmin'),
    DELIVERED: (id) =>
      must('deliverOrder', { orderId: id, note: '已修好', outcome: 'FULL', minutes: [{ volunteerId: VOLUNTEER_HE_YI, minutes: 90 }] }, 'stationAdmin'),
    EVALUATED: (id) => must('evaluateOrder', { orderId: id, rating: 5, resolved: 'YES' }, 'resident'),
    CLOSED: (id) => must('closeOrder', { orderId: id }, 'service'),
  };
  const PATH: Record<string, string[]> = {
    SUBMITTED: [],
    DISPATCHED: ['DISPATCHED'],
    ACCEPTED: ['DISPATCHED', 'ACCEPTED', 'ASSIGNED'],
    IN_PROGRESS: ['DISPATCHED', 'ACCEPTED', 'ASSIGNED', 'IN_PROGRESS'],
    DELIVERED: ['DISPATCHED', 'ACCEPTED', 'ASSIGNED', 'IN_PROGRESS', 'DELIVERED'],
    EVALUATED: ['DISPATCHED', 'ACCEPTED', 'ASSIGNED', 'IN_PROGRESS', 'DELIVERED', 'EVALUATED'],
    CLOSED: ['DISPATCHED', 'ACCEPTED', 'ASSIGNED', 'IN_PROGRESS', 'DELIVERED', 'EVALUATED', 'CLOSED'],
    CANCELLED: [],
  };
  return {
    alone,
    ask,
    mutate,
    must,
    async orderIn(status) {
      const order = await must<OrderShape>('placeOrder', { title: '楼道灯坏了', category: 'SAFETY_FACILITIES', channel: 'APP', stationHintId: '5' }, 'resident');
      for (const step of PATH[status]!) await steps[step]!(order.id);
      if (status === 'CANCELLED') await must('cancelOrder', { orderId: order.id }, 'resident');
      return order.id;
    },
    query: (sql, params) => dataSource.query(sql, params),
    stop: () => alone.stop(),
  };
}

function parseEnv(env: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, /^\d+(\.\d+)?$/.test(value) ? Number(value) : value]));
}
