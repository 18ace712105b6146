import { readFileSync } from 'node:fs';
import { catalog, EventType, parseEnvelope } from '@kz/events';
import { CLIENT_ERROR_CODES } from '@kz/gateway';
import { API_DOC, documentedErrorCodes, domainErrorCodes, exampleProblems, graphqlExamples, supergraphSchema } from './api-doc';
import { README, readmeWithConfigTable } from './config-table';
import { EVENTS_DOC, eventsDoc, exampleEnvelope } from './events-doc';
import { ORDERS_DOC, ordersDocWithTable } from './orders-doc';

describe('the README', () => {
  it('documents every environment variable with its default (run `npm run docs` after changing them)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toBe(readmeWithConfigTable(readme));
  });

  it('shows the two commands of the quick start', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
});

describe('docs/events.md', () => {
  it('lists every event of the catalogue with its queues (run `npm run docs` after changing them)', () => {
    expect(readFileSync(EVENTS_DOC, 'utf8')).toBe(eventsDoc());
  });

  it('gives every event a section with each payload field and an example envelope the consumers accept', () => {
    const doc = readFileSync(EVENTS_DOC, 'utf8');
    for (const type of Object.keys(catalog) as EventType[]) {
      const example = exampleEnvelope(type);
      expect(parseEnvelope(JSON.parse(JSON.stringify(example)))).toMatchObject({ id: example.id, type, version: catalog[type].version });
      const section = doc.split('\n### ').find((part) => part.startsWith(`\`${type}\` (v${catalog[type].version})`));
      expect([type, section !== undefined]).toEqual([type, true]);
      for (const field of Object.keys((catalog[type].payload as unknown as { shape: object }).shape)) {
        expect([type, field, section!.includes(`| \`${field}\` |`)]).toEqual([type, field, true]);
      }
    }
  });
});

describe('docs/api.md', () => {
  const doc = readFileSync(API_DOC, 'utf8');

  it('has GraphQL examples that are valid against the supergraph, with variables of the declared types', () => {
    const schema = supergraphSchema();
    const examples = graphqlExamples(doc);
    expect(examples.length).toBeGreaterThanOrEqual(20);
    expect(examples.filter((example) => example.variables !== undefined).length).toBeGreaterThanOrEqual(15);
    const problems = examples.flatMap((example) => exampleProblems(schema, example).map((problem) => `line ${example.line}: ${problem}`));
    expect(problems).toEqual([]);
  });

  it('catches an example that drifted from the schema', () => {
    const schema = supergraphSchema();
    const [drifted] = graphqlExamples('```graphql\nquery { me { id nickname } }\n```\n');
    expect(exampleProblems(schema, drifted!)).toEqual([expect.stringContaining('Cannot query field "nickname" on type "Person".')]);
    const [badVariables] = graphqlExamples(
      '```graphql\nquery Order($id: ID!) { order(id: $id) { code } }\n```\n\n```json\n{ "id": 1.5, "extra": true }\n```\n',
    );
    expect(exampleProblems(schema, badVariables!)).toEqual(['variables not declared by the operation: extra']);
    const [wrongType] = graphqlExamples('```graphql\nquery Order($id: ID!) { order(id: $id) { code } }\n```\n```json\n{ "id": 1.5 }\n```\n');
    expect(exampleProblems(schema, wrongType!)).toHaveLength(1);
  });

  it('lists every error code of libs/errors in its error table', () => {
    const documented = documentedErrorCodes(doc);
    expect(domainErrorCodes().filter((code) => !documented.includes(code))).toEqual([]);
    expect(documented).toEqual(expect.arrayContaining(['RATE_LIMITED', 'GRAPHQL_VALIDATION_FAILED']));
  });

  it('lists exactly the codes a client can receive, each once (the gateway sends no other: CLIENT_ERROR_CODES)', () => {
    const documented = documentedErrorCodes(doc);
    expect([...documented].sort()).toEqual([...CLIENT_ERROR_CODES]);
    expect(domainErrorCodes().filter((code) => !CLIENT_ERROR_CODES.includes(code))).toEqual([]);
  });
});

describe('docs/orders.md', () => {
  it('shows the six-order state machine the service runs (run `npm run docs` after changing it)', () => {
    const doc = readFileSync(ORDERS_DOC, 'utf8');
    expect(doc).toBe(ordersDocWithTable(doc));
  });
});
