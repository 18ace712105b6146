import { readFileSync } from 'node:fs';
import { buildSchema, isIntrospectionType, isSpecifiedDirective, isTypeDefinitionNode, parse } from 'graphql';
import { API_SCHEMA_FILE, compose, composeSupergraph, SUPERGRAPH_FILE } from './compose';
import { LIVE_SCHEMA_FILE } from './api-schema';

describe('the supergraph', () => {
  it('composes from every subgraph schema and the checked-in file is not stale (run `npm run compose`)', () => {
    const composed = composeSupergraph();
    expect(readFileSync(SUPERGRAPH_FILE, 'utf8')).toBe(composed);
  });
});

describe('the API schema (apps/gateway/schema.graphql)', () => {
  const { supergraph, apiSchema } = compose();

  it('is the checked-in file, not stale (run `npm run compose`)', () => {
    expect(readFileSync(API_SCHEMA_FILE, 'utf8')).toBe(apiSchema);
  });

  it('shows clients no federation machinery: no join__ / link__ elements, no directives of its own, no entities', () => {
    expect(supergraph).toContain('join__'); // what the supergraph has and the API schema must not
    for (const marker of ['join__', 'link__', '@link', '@join', '@inaccessible', '@tag', '_entities', '_Any', '_Service']) {
      expect([marker, apiSchema.includes(marker)]).toEqual([marker, false]);
    }
    const schema = buildSchema(apiSchema);
    expect(schema.getDirectives().filter((directive) => !isSpecifiedDirective(directive)).map((d) => d.name)).toEqual([]);
    expect(Object.keys(schema.getTypeMap()).filter((name) => name.startsWith('_') && !isIntrospectionType(schema.getType(name)!))).toEqual([]);
  });

  it('keeps every type, field and description of the supergraph, and adds the live Subscription type the gateway serves', () => {
    // (less what the subgraphs mark @inaccessible: the queries only workers call on a subgraph directly)
    const fromSupergraph = described(supergraph, { accessibleOnly: true });
    const hidden = [...described(supergraph).keys()].filter((key) => !fromSupergraph.has(key));
    expect(hidden).toEqual(expect.arrayContaining(['Query.dueTimers', 'Query.redemptionExpiries', 'DueTimer', 'RedemptionExpiry']));
    expect(hidden.every((key) => /^(Query\.(dueTimers|redemptionExpiries)|DueTimer|RedemptionExpiry)/.test(key))).toBe(true);
    expect(fromSupergraph.size).toBeGreaterThan(500);
    expect([...fromSupergraph.values()].filter(Boolean).length).toBeGreaterThan(500);
    const live = described(readFileSync(LIVE_SCHEMA_FILE, 'utf8'));
    expect([...live.keys()]).toEqual(expect.arrayContaining(['Subscription.orderChanged', 'Subscription.orderBoardChanged', 'Subscription.notificationAdded']));
    expect(described(apiSchema)).toEqual(new Map([...fromSupergraph, ...live]));
    expect(buildSchema(apiSchema).getSubscriptionType()?.name).toBe('Subscription');
  });
});

/**
 * `Type`, `Type.field`, `Type.field(arg)` and `Enum.VALUE` of the schema's own types, each with its description;
 * `accessibleOnly` leaves out types and fields marked `@inaccessible`.
 */
function described(sdl: string, options: { accessibleOnly?: boolean } = {}): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  const hidden = (node: { directives?: readonly { name: { value: string } }[] }) =>
    !!options.accessibleOnly && !!node.directives?.some((directive) => directive.name.value === 'inaccessible');
  for (const definition of parse(sdl).definitions) {
    if (!isTypeDefinitionNode(definition)) continue;
    const type = definition.name.value;
    if (/^(join|link)__/.test(type) || hidden(definition)) continue;
    out.set(type, definition.description?.value);
    if ('fields' in definition) {
      for (const field of definition.fields ?? []) {
        if (hidden(field)) continue;
        out.set(`${type}.${field.name.value}`, field.description?.value);
        for (const arg of ('arguments' in field && field.arguments) || []) {
          out.set(`${type}.${field.name.value}(${arg.name.value})`, arg.description?.value);
        }
      }
    }
    if ('values' in definition) for (const value of definition.values ?? []) out.set(`${type}.${value.name.value}`, value.description?.value);
  }
  return out;
}
