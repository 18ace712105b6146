import { signClaims, signToken } from '@kz/auth';
import type { Config } from '@kz/config';
import { Comparison, graphqlCheck, load, LoadResult } from './load';

export interface BenchTarget {
  config: Config;
  gateway: string;
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

/** The whole district tree (577 units) through the gateway, against the same query straight to the org subgraph. */
export async function unitTreeBenchmark(target: BenchTarget, options: BenchOptions): Promise<Comparison> {
  const { config } = target;
  const token = await signToken(config, { sub: 'bench', roles: ['RESIDENT'] });
  const body = JSON.stringify({ query: UNIT_TREE, variables: {} });
  const viaGateway = graphqlCheck(() =>
    fetch(target.gateway, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body }),
  );
  // Direct calls carry the signature the gateway would add, made per request as the gateway does.
  const direct = graphqlCheck(() =>
    fetch(`${target.org}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signClaims(config.CLAIMS_SIGNING_SECRET, { sub: 'bench', roles: ['RESIDENT'] }, { query: UNIT_TREE, variables: {} }) },
      body,
    }),
  );
  const before = await statementsSoFar(target.org);
  await direct();
  const statements = (await statementsSoFar(target.org)) - before;
  const runs: Record<'gateway' | 'direct', LoadResult[]> = { gateway: [], direct: [] };
  for (let round = 0; round < options.rounds; round += 1) {
    const settings = { connections: options.connections, seconds: options.seconds, warmup: 20 };
    runs.direct.push(await load('direct', direct, settings));
    runs.gateway.push(await load('gateway', viaGateway, settings));
  }
  return {
    title: 'unitTree: the whole district tree (577 units)',
    note: `The same query through the gateway and straight to the org subgraph (signed as the gateway signs). ${statements} SQL statement(s) per request.`,
    results: [
      { label: 'gateway', runs: runs.gateway },
      { label: 'org subgraph direct', runs: runs.direct },
    ],
  };
}
