import { buildSchema, parse, OperationDefinitionNode } from 'graphql';
import { measureOperation, QueryLimits } from './limits';
import { MeasureCache } from './limits.plugin';

const schema = buildSchema(`
  type Query { units(first: Int = 20, after: String): UnitConnection! unit(id: ID!): Unit tree: Tree! }
  type Tree { nodes: [Node!]! }
  type Node { depth: Int! unit: Unit! }
  type UnitConnection { edges: [UnitEdge!]! totalCount: Int! }
  type UnitEdge { node: Unit! }
  type Unit { id: ID! name: String! parent: Unit children(first: Int = 20): UnitConnection! tags: [String!]! }
`);
const limits: QueryLimits = { maxDepth: 10, maxCost: 1000, maxAliases: 5, defaultListSize: 10, listSizeHints: { 'Tree.nodes': 600 } };

function measure(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode;
  return measureOperation(schema, document, operation, variables, limits);
}

describe('measuring an operation', () => {
  it('counts depth through fragments and inline fragments', () => {
    expect(measure('{ unit(id: "1") { name } }').depth).toBe(2);
    const viaFragment = measure('query { unit(id: "1") { ...F } } fragment F on Unit { parent { ... on Unit { parent { name } } } }');
    expect(viaFragment.depth).toBe(4);
  });

  it('multiplies by `first`, by its default, or by the assumed list size, without counting connection edges twice', () => {
    expect(measure('{ units(first: 5) { edges { node { id } } } }').cost).toBe(1 + 5 * (1 + (1 + 1)));
    expect(measure('{ units { totalCount } }').cost).toBe(1 + 20 * 1);
    expect(measure('query($n: Int) { units(first: $n) { totalCount } }', { n: 50 }).cost).toBe(1 + 50);
    expect(measure('{ unit(id: "1") { tags } }').cost).toBe(2);
    expect(measure('{ unit(id: "1") { children { edges { node { tags } } } } }').cost).toBe(1 + (1 + 20 * (1 + (1 + 1))));
    expect(measure('{ tree { nodes { depth } } }').cost).toBe(1 + (1 + 600 * 1));
  });

  it('leaves introspection free and counts aliases', () => {
    expect(measure('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }')).toEqual({ depth: 0, cost: 0, aliases: 0 });
    expect(measure('{ a: unit(id: "1") { id } b: unit(id: "2") { n: name } }').aliases).toBe(3);
  });

  it('does not loop on a fragment that spreads itself', () => {
    expect(() => measure('query { unit(id: "1") { ...F } } fragment F on Unit { parent { ...F } }')).not.toThrow();
  });
});

describe('measures kept per operation', () => {
  const parsed = (query: string) => {
    const document = parse(query);
    return { document, operation: document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode };
  };

  it("gives the measure of the variables' values, kept for the same values", () => {
    const cache = new MeasureCache(limits);
    const { document, operation } = parsed('query($n: Int, $id: ID!) { units(first: $n) { totalCount } unit(id: $id) { id } }');
    const fifty = cache.measure(schema, document, operation, { n: 50, id: '1' });
    expect(fifty.cost).toBe(1 + 50 + 2);
    expect(cache.measure(schema, document, operation, { n: 50, id: '2' })).toBe(fifty); // `id` is not read by the measure
    expect(cache.measure(schema, document, operation, { n: 500, id: '1' }).cost).toBe(1 + 500 + 2);
    expect(cache.measure(schema, document, operation, { id: '1' }).cost).toBe(1 + 20 + 2); // the argument's default
    expect(cache.measure(schema, document, operation, { n: 50, id: '3' })).toEqual(fifty);
  });

  it('measures again under another schema', () => {
    const cache = new MeasureCache(limits);
    const { document, operation } = parsed('{ units { totalCount } }');
    expect(cache.measure(schema, document, operation, {}).cost).toBe(1 + 20);
    const other = buildSchema('type Query { units(first: Int = 3): UnitConnection! } type UnitConnection { totalCount: Int! }');
    expect(cache.measure(other, document, operation, {}).cost).toBe(1 + 3);
  });
});
