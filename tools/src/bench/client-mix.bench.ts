import { Pool } from 'pg';
import { Claims, signClaims, signToken } from '@kz/auth';
import type { Config } from '@kz/config';
import { pgClientConfig } from '@kz/db';
import { documentHash } from '@kz/gateway';
import { alternate, Comparison, graphqlCheck } from './load';
import { BenchOptions, statementsOfCall } from './unit-tree.bench';

export interface MixTarget {
  config: Config;
  /** Gateway `/graphql` URLs to measure, by label (e.g. one process, one per CPU). The first is the one compared. */
  gateways: { label: string; url: string }[];
  /**
   * Gateways to measure sending the documents by id (`documentId`) instead of their text, after the text ones: one
   * with `TRUSTED_DOCUMENTS=enforce` over a registry holding `CLIENT_MIX_DOCUMENTS`.
   */
  byId?: { label: string; url: string }[];
  /** A bare Apollo Gateway over the same subgraphs (./bare-gateway.ts), measured by text after the gateways. */
  bare?: { label: string; url: string };
  /** Base URLs of the subgraphs (no `/graphql`). */
  org: string;
  volunteers: string;
  orders: string;
  points: string;
}

const DASHBOARD = `query StationDashboard($id: ID!) { unit(id: $id) { id name code sevenHavesScore
  orders(first: 20) { totalCount edges { node { id code title status urgency createdAt
    assignees { id person { displayName } pointsAccount { balance available } } } } } } }`;

const MINE = `query MyOrdersAndAccount { me { id displayName } myAccount { cardNumber balance available }
  myOrders(first: 10) { totalCount edges { node { id code title status createdAt station { name } assignees { id person { displayName } } } } } }`;

/** The client mix's operations, as an app's manifest registers them (published before a gateway that enforces starts). */
export const CLIENT_MIX_DOCUMENTS: Record<string, string> = { [documentHash(DASHBOARD)]: DASHBOARD, [documentHash(MINE)]: MINE };

/** The fetches of the gateway's query plan for DASHBOARD, as it sends them (checked with @apollo/query-planner). */
const DASHBOARD_PLAN = {
  org: `query StationDashboard__org__0($id:ID!){unit(id:$id){__typename id name code sevenHavesScore}}`,
  orders: `query StationDashboard__orders__1($representations:[_Any!]!){_entities(representations:$representations){...on PracticeUnit{orders(first:20){totalCount edges{node{id code title status urgency createdAt assignees{__typename id}}}}}}}`,
  volunteers: `query StationDashboard__volunteers__2($representations:[_Any!]!){_entities(representations:$representations){...on Volunteer{person{displayName id homeUnit{id}}}}}`,
  points: `query StationDashboard__points__3($representations:[_Any!]!){_entities(representations:$representations){...on Volunteer{pointsAccount{balance available}}}}`,
};

/** The fetches of the plan for MINE: three in parallel, then the stations and the assignees' people in parallel. */
const MINE_PLAN = {
  me: `query MyOrdersAndAccount__volunteers__0{me{id displayName}}`,
  account: `query MyOrdersAndAccount__points__1{myAccount{cardNumber balance available}}`,
  orders: `query MyOrdersAndAccount__orders__2{myOrders(first:10){totalCount edges{node{id code title status createdAt station{__typename id} assignees{__typename id}}}}}`,
  stations: `query MyOrdersAndAccount__org__3($representations:[_Any!]!){_entities(representations:$representations){...on PracticeUnit{name}}}`,
  people: `query MyOrdersAndAccount__volunteers__4($representations:[_Any!]!){_entities(representations:$representations){...on Volunteer{person{displayName}}}}`,
};

interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string }[];
}

/** One signed request straight to a subgraph, as the gateway sends it; throws on any error so a failure is counted. */
async function direct(base: string, claims: Claims, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signClaims(claimsSecret, claims, { query, variables }) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphqlBody;
  if (!response.ok || body.errors || !body.data) throw new Error(`${base}: ${JSON.stringify(body.errors ?? response.status)}`);
  return body.data;
}
let claimsSecret = '';

/** Representations of the entities at the leaves of a plan path, deduplicated as the gateway does. */
function unique<T>(items: T[]): T[] {
  const seen = new Map<string, T>();
  for (const item of items) seen.set(JSON.stringify(item), item);
  return [...seen.values()];
}

type Entities = { _entities: Record<string, unknown>[] };
interface OrderNode {
  station?: { __typename: string; id: string } | null;
  assignees: { __typename: string; id: string }[];
}
type OrdersPage = { edges: { node: OrderNode }[] };

/** SQL statements one call makes in each subgraph, measured on an idle stack from their `db_request_statements_total`. */
async function statementsOf(target: MixTarget, call: () => Promise<boolean>): Promise<{ total: number; by: string }> {
  const bases = { org: target.org, volunteers: target.volunteers, orders: target.orders, points: target.points };
  const counts = await statementsOfCall(Object.values(bases), call);
  const deltas = Object.keys(bases).map((name, i) => [name, counts[i]!] as const);
  return { total: deltas.reduce((sum, [, n]) => sum + n, 0), by: deltas.filter(([, n]) => n > 0).map(([name, n]) => `${name} ${n}`).join(' + ') };
}

/**
 * The realistic client mix through the gateway: (a) a station admin's dashboard crossing all four domain subgraphs
 * (station → its newest orders → their assignees → their points), (b) a resident's "my orders + my account". Each
 * against the sum of the direct subgraph calls the gateway's query plan makes, sent the same way (signed, in the
 * plan's order and parallelism), so the difference is what the gateway itself costs: parsing, validation, planning
 * (cached), limits, JWT verification, signing, merging.
 */
export async function clientMixBenchmarks(target: MixTarget, options: BenchOptions): Promise<Comparison[]> {
  const { config } = target;
  claimsSecret = config.CLAIMS_SIGNING_SECRET;
  const orders = new Pool({ ...pgClientConfig(config, config.ORDERS_DATABASE), max: 2 });
  const points = new Pool({ ...pgClientConfig(config, config.POINTS_DATABASE), max: 2 });
  try {
    // The 20 stations with the most open orders, each with its station admin.
    const stations: { id: string; path: string; open: number }[] = (
      await orders.query(
        `SELECT o.station_id::text AS id, u.path, count(*) FILTER (WHERE o.status IN ('DISPATCHED', 'ACCEPTED', 'IN_PROGRESS'))::int AS open
           FROM service_order o JOIN unit_ref u ON u.id = o.station_id GROUP BY o.station_id, u.path ORDER BY open DESC, o.station_id LIMIT 20`,
      )
    ).rows;
    if (stations.length === 0) throw new Error('client mix: no seeded orders (the kaizhou seed loads 11,800)');
    const admins = await Promise.all(
      stations.map(async (station) => {
        const claims: Claims = { sub: `bench-station-admin-${station.id}`, roles: ['STATION_ADMIN'], unitId: station.id, unitPath: station.path };
        return { station, claims, token: await signToken(config, claims) };
      }),
    );
    // Residents with orders and a points account (the seeded requesters are volunteers of their station).
    const requesters: string[] = (
      await orders.query(`SELECT requester_person_id AS id FROM service_order WHERE requester_person_id IS NOT NULL GROUP BY 1 HAVING count(*) >= 2 ORDER BY 1`)
    ).rows.map((row: { id: string }) => row.id);
    const withAccount: string[] = (
      await points.query(`SELECT person_id::text AS id FROM points_account WHERE person_id = ANY($1::bigint[]) ORDER BY person_id LIMIT 200`, [requesters])
    ).rows.map((row: { id: string }) => row.id);
    if (withAccount.length === 0) throw new Error('client mix: no resident with orders and a points account');
    const residents = await Promise.all(
      withAccount.map(async (sub) => {
        const claims: Claims = { sub, roles: ['RESIDENT', 'VOLUNTEER'] };
        return { claims, token: await signToken(config, claims) };
      }),
    );

    let nextAdmin = 0;
    let nextResident = 0;
    const viaGateway = (url: string, query: string, pick: () => { token: string; variables: Record<string, unknown> }, byId = false) =>
      graphqlCheck(() => {
        const { token, variables } = pick();
        return fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(byId ? { documentId: `sha256:${documentHash(query)}`, variables } : { query, variables }),
        });
      });
    const byId = target.byId ?? [];
    const pickAdmin = () => {
      const admin = admins[(nextAdmin += 1) % admins.length]!;
      return { token: admin.token, variables: { id: admin.station.id } };
    };
    const pickResident = () => ({ token: residents[(nextResident += 1) % residents.length]!.token, variables: {} });

    const dashboardDirect = async (): Promise<boolean> => {
      const { claims, station } = admins[(nextAdmin += 1) % admins.length]!;
      const org = (await direct(target.org, claims, DASHBOARD_PLAN.org, { id: station.id })) as { unit: { __typename: string; id: string } };
      const ordersPage = (await direct(target.orders, claims, DASHBOARD_PLAN.orders, { representations: [{ __typename: 'PracticeUnit', id: org.unit.id }] })) as Entities;
      const assignees = unique(
        (ordersPage._entities[0] as { orders: OrdersPage }).orders.edges.flatMap((edge) => edge.node.assignees.map((a) => ({ __typename: 'Volunteer', id: a.id }))),
      );
      if (assignees.length === 0) return true;
      const people = (await direct(target.volunteers, claims, DASHBOARD_PLAN.volunteers, { representations: assignees })) as Entities;
      // `Volunteer.pointsAccount` @requires the person's id and home unit (scope before an account exists).
      const withPerson = assignees.map((a, i) => {
        const { id, homeUnit } = (people._entities[i] as { person: { id: string; homeUnit: { id: string } | null } }).person;
        return { __typename: 'Volunteer', person: { id, homeUnit }, id: a.id };
      });
      await direct(target.points, claims, DASHBOARD_PLAN.points, { representations: withPerson });
      return true;
    };
    const mineDirect = async (): Promise<boolean> => {
      const { claims } = residents[(nextResident += 1) % residents.length]!;
      const [, , mine] = await Promise.all([
        direct(target.volunteers, claims, MINE_PLAN.me),
        direct(target.points, claims, MINE_PLAN.account),
        direct(target.orders, claims, MINE_PLAN.orders) as Promise<{ myOrders: OrdersPage }>,
      ]);
      const nodes = mine.myOrders.edges.map((edge) => edge.node);
      const stationReps = unique(nodes.flatMap((node) => (node.station ? [{ __typename: 'PracticeUnit', id: node.station.id }] : [])));
      const assigneeReps = unique(nodes.flatMap((node) => node.assignees.map((a) => ({ __typename: 'Volunteer', id: a.id }))));
      await Promise.all([
        stationReps.length > 0 ? direct(target.org, claims, MINE_PLAN.stations, { representations: stationReps }) : null,
        assigneeReps.length > 0 ? direct(target.volunteers, claims, MINE_PLAN.people, { representations: assigneeReps }) : null,
      ]);
      return true;
    };

    // What one request returns, and the SQL it costs, on the idle stack.
    const [main] = target.gateways;
    const probe = async (query: string, pick: () => { token: string; variables: Record<string, unknown> }) => {
      const { token, variables } = pick();
      const response = await fetch(main!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphqlBody;
    };
    nextAdmin = 0;
    const sample = (await probe(DASHBOARD, pickAdmin)) as { data: { unit: { orders: { totalCount: number; edges: { node: { status: string; assignees: { pointsAccount: unknown }[] } }[] } } } };
    const sampleOrders = sample.data.unit.orders.edges.map((edge) => edge.node);
    const dashboardSql = await statementsOf(target, viaGateway(main!.url, DASHBOARD, pickAdmin));
    const dashboardDirectSql = await statementsOf(target, dashboardDirect);
    const mineSql = await statementsOf(target, viaGateway(main!.url, MINE, pickResident));
    const mineDirectSql = await statementsOf(target, mineDirect);

    // By id, the same answer as by text (checked once, for the same caller, before any load).
    for (const gateway of byId) {
      for (const [query, pick] of [[DASHBOARD, pickAdmin], [MINE, pickResident]] as const) {
        const { token, variables } = pick();
        const ask = async (body: unknown) =>
          (await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) })).text();
        const text = await ask({ query, variables }); // the exact text of a registered document runs under enforce too
        const id = await ask({ documentId: `sha256:${documentHash(query)}`, variables });
        if (id !== text || id.includes('"errors"')) throw new Error(`client mix: ${gateway.label} answers ${id.slice(0, 300)} by id, ${text.slice(0, 300)} by text`);
      }
    }

    const dashboard = await alternate(
      [
        ...target.gateways.map((gateway) => ({ label: gateway.label, check: viaGateway(gateway.url, DASHBOARD, pickAdmin) })),
        ...byId.map((gateway) => ({ label: gateway.label, check: viaGateway(gateway.url, DASHBOARD, pickAdmin, true) })),
        ...(target.bare ? [{ label: target.bare.label, check: viaGateway(target.bare.url, DASHBOARD, pickAdmin) }] : []),
        { label: 'direct subgraph calls of the plan', check: dashboardDirect },
      ],
      options,
    );
    const mine = await alternate(
      [
        ...target.gateways.map((gateway) => ({ label: gateway.label, check: viaGateway(gateway.url, MINE, pickResident) })),
        ...byId.map((gateway) => ({ label: gateway.label, check: viaGateway(gateway.url, MINE, pickResident, true) })),
        ...(target.bare ? [{ label: target.bare.label, check: viaGateway(target.bare.url, MINE, pickResident) }] : []),
        { label: 'direct subgraph calls of the plan', check: mineDirect },
      ],
      options,
    );
    const byIdNote = byId.length
      ? ` The "by id" target sends \`{ "documentId": "sha256:…", "variables": … }\` of the document registered in the gateway's database, to a ` +
        `gateway (1 process) with TRUSTED_DOCUMENTS=enforce; the text targets run with TRUSTED_DOCUMENTS=log.`
      : '';
    const open = sampleOrders.filter((order) => ['SUBMITTED', 'DISPATCHED', 'ACCEPTED', 'IN_PROGRESS'].includes(order.status)).length;
    const assigneeCount = sampleOrders.reduce((sum, order) => sum + order.assignees.length, 0);
    return [
      {
        title: 'client mix (a): station dashboard across org → orders → volunteers → points',
        note:
          `A station admin (rotating over the ${admins.length} stations with the most open orders) loads the station, its 20 newest orders ` +
          `(the first has ${sample.data.unit.orders.totalCount} in all, ${open} of the 20 open, ${assigneeCount} assignees), each order's assignees ` +
          `with their masked names and their points balance: four sequential fetches in the gateway's plan (org, orders, volunteers, points). ` +
          `Baseline: the same four fetches sent straight to the subgraphs in sequence, signed as the gateway signs, without the gateway's merging. ` +
          `SQL statements per request: ${dashboardSql.total} through the gateway (${dashboardSql.by}), ${dashboardDirectSql.total} for the direct calls.${byIdNote}`,
        statements: dashboardSql.total,
        results: dashboard,
        goal: 0.9, // issue 13
      },
      {
        title: `client mix (b): a resident's "my orders + my account"`,
        note:
          `A resident (rotating over ${residents.length} seeded requesters with two or more orders and a points account) loads their name, ` +
          `their account (card number, balance) and their 10 newest orders with each station's name and the assignees' masked names: ` +
          `volunteers, points and orders in parallel, then org and volunteers in parallel. Baseline: the same five fetches straight to the ` +
          `subgraphs with the same parallelism. SQL statements per request: ${mineSql.total} through the gateway (${mineSql.by}), ` +
          `${mineDirectSql.total} for the direct calls.${byIdNote}`,
        statements: mineSql.total,
        results: mine,
        goal: 0.9, // issue 13
      },
    ];
  } finally {
    await orders.end();
    await points.end();
  }
}
