import { signClaims, signToken } from '@kz/auth';
import type { Config } from '@kz/config';
import { alternate, Comparison, graphqlCheck } from './load';

export interface BenchTarget {
  config: Config;
  /** The gateway measured by single-target benchmarks. */
  gateway: string;
  /** Gateways measured side by side where a benchmark compares them (e.g. one process and one per CPU). */
  gateways?: { label: string; url: string }[];
  /** A bare Apollo Gateway over the same subgraphs (./bare-gateway.ts), measured after the gateways where given. */
  bare?: { label: string; url: string };
  org: string;
  volunteers: string;
}

export interface BenchOptions {
  seconds: number;
  connections: number;
  rounds: number;
}

const UNIT_TREE = `{ unitTree { nodes { depth parentId unit { id name level code isDemonstration } } } }`;

/** The subgraph's `db_request_statements_total` counter (statements made serving requests), from its /metrics. */
export async function statementsSoFar(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const match = /^db_request_statements_total\{[^}]*\} (\d+)/m.exec(text);
  if (!match) throw new Error('the subgraph does not report db_request_statements_total');
  return Number(match[1]);
}

/**
 * SQL statements `call` makes in each subgraph (by base URL), on an idle stack. A /metrics scrape may itself run
 * statements (gauges read at scrape time), so the statements of one scrape alone are measured first and taken off.
 */
export async function statementsOfCall(bases: string[], call: () => Promise<boolean>): Promise<number[]> {
  const scrape = () => Promise.all(bases.map(statementsSoFar));
  const s0 = await scrape();
  const s1 = await scrape();
  if (!(await call())) throw new Error('the request fails; fix it before measuring');
  const s2 = await scrape();
  return bases.map((_, i) => s2[i]! - s1[i]! - (s1[i]! - s0[i]!));
}

/** The whole district tree (577 units) through the gateway, against the same query straight to the org subgraph. */
export async function unitTreeBenchmark(target: BenchTarget, options: BenchOptions): Promise<Comparison> {
  const { config } = target;
  const token = await signToken(config, { sub: 'bench', roles: ['RESIDENT'] });
  const body = JSON.stringify({ query: UNIT_TREE, variables: {} });
  const viaGateway = (url: string) =>
    graphqlCheck(() => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body }));
  const gateways = target.gateways ?? [{ label: 'gateway', url: target.gateway }];
  // Direct calls carry the signature the gateway would add, made per request as the gateway does.
  const direct = graphqlCheck(() =>
    fetch(`${target.org}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signClaims(config.CLAIMS_SIGNING_SECRET, { sub: 'bench', roles: ['RESIDENT'] }, { query: UNIT_TREE, variables: {} }) },
      body,
    }),
  );
  const [statements] = await statementsOfCall([target.org], direct);
  const results = await alternate(
    [
      ...[...gateways, ...(target.bare ? [target.bare] : [])].map((gateway) => ({ label: gateway.label, check: viaGateway(gateway.url) })),
      { label: 'org subgraph direct', check: direct },
    ],
    options,
  );
  return {
    title: 'unitTree: the whole district tree (577 units)',
    note: `The same query through the gateway and straight to the org subgraph (signed as the gateway signs). ${statements} SQL statement(s) per request.`,
    statements,
    results,
  };
}
