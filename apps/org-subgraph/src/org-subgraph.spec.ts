import { orgDataset } from '@kz/seed-data';
import { RunningSubgraph, SQL_STATEMENTS_HEADER } from '@kz/subgraph';
import { startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { seedOrg, startOrgSubgraph } from './app';

let alone: SubgraphAlone<RunningSubgraph>;
let org: RunningSubgraph;

beforeAll(async () => {
  alone = await startSubgraphAlone('ORG_DATABASE', (config) => startOrgSubgraph(config, { port: 0 }));
  org = alone.running;
  await seedOrg(org.dataSource, orgDataset('kaizhou'));
});

afterAll(() => alone.stop());

async function statementsFor(query: string, variables: Record<string, unknown>) {
  const result = await alone.ask(query, variables);
  expect(result.errors).toBeUndefined();
  return { statements: Number(result.headers.get(SQL_STATEMENTS_HEADER)), data: result.data };
}

async function ids(table: string, count: number): Promise<string[]> {
  const rows: { id: string }[] = await org.dataSource.query(`SELECT id::text FROM ${table} ORDER BY id LIMIT $1`, [count]);
  return rows.map((row) => row.id);
}

describe('batching', () => {
  const unitReferences = `query($representations: [_Any!]!) { _entities(representations: $representations) {
    ... on PracticeUnit { name parent { name } ancestors { code } sevenHavesScore
      children(first: 3) { totalCount edges { node { name } } } teams { totalCount edges { node { name } } } } } }`;

  it('resolves N unit references with their parents, children, checklists and teams in a constant number of statements', async () => {
    const few = await statementsFor(unitReferences, { representations: (await ids('practice_unit', 5)).map((id) => ({ __typename: 'PracticeUnit', id })) });
    const many = await statementsFor(unitReferences, { representations: (await ids('practice_unit', 200)).map((id) => ({ __typename: 'PracticeUnit', id })) });
    expect((many.data as { _entities: unknown[] })._entities).toHaveLength(200);
    expect(many.statements).toBe(few.statements);
    expect(many.statements).toBeLessThanOrEqual(10);
  });

  it('resolves N team references with their home units and parent teams in a constant number of statements', async () => {
    const query = `query($representations: [_Any!]!) { _entities(representations: $representations) {
      ... on Team { name parentTeam { name } homeUnit { name } subTeams { totalCount } } } }`;
    const few = await statementsFor(query, { representations: (await ids('team', 3)).map((id) => ({ __typename: 'Team', id })) });
    const many = await statementsFor(query, { representations: (await ids('team', 300)).map((id) => ({ __typename: 'Team', id })) });
    expect(many.statements).toBe(few.statements);
  });

  it('lists the children of N units in a constant number of statements', async () => {
    const query = `query($first: Int) { units(filter: { level: INSTITUTE }, first: $first) { edges { node { name
      children(first: 50) { totalCount edges { node { name children { totalCount } } } } } } } }`;
    const few = await statementsFor(query, { first: 2 });
    const many = await statementsFor(query, { first: 40 });
    const institutes = (many.data as { units: { edges: { node: { children: { totalCount: number } } }[] } }).units.edges;
    expect(institutes).toHaveLength(40);
    expect(institutes.reduce((sum, edge) => sum + edge.node.children.totalCount, 0)).toBe(535);
    expect(many.statements).toBe(few.statements);
  });

  it('gives the whole district tree in a single query', async () => {
    const tree = await statementsFor(`{ unitTree { nodes { depth unit { name level } } } }`, {});
    expect((tree.data as { unitTree: { nodes: unknown[] } }).unitTree.nodes).toHaveLength(577);
    expect(tree.statements).toBeLessThanOrEqual(2);
  });
});

describe('operations', () => {
  it('exports request and SQL statement metrics', async () => {
    const text = await (await fetch(org.url.replace('/graphql', '/metrics'))).text();
    expect(text).toMatch(/^db_statements_total\{service="org-subgraph"\} [1-9]\d*$/m);
    expect(text).toMatch(/^db_request_statements_total\{service="org-subgraph"\} [1-9]\d*$/m);
    expect(text).toMatch(/^http_requests_total\{route="graphql",status="200",service="org-subgraph"\} [1-9]/m);
  });
});

describe('health', () => {
  it('is ready with Postgres and Redis, reported in /ready; /health says the process runs', async () => {
    const response = await fetch(org.url.replace('/graphql', '/ready'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ service: 'org-subgraph', status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
    const health = await fetch(org.url.replace('/graphql', '/health'));
    expect(await health.json()).toEqual({ service: 'org-subgraph', status: 'ok', checks: {} });
  });
});
