import type { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { QueryTooComplex } from '@kz/errors';
import type { GatewayContext } from './context';
import { measureOperation, QueryLimits, QueryMeasure } from './limits';

/** Refuses operations over the depth, cost or alias limits before any subgraph is called. */
export function limitsPlugin(limits: QueryLimits): ApolloServerPlugin<GatewayContext> {
  const measures = new MeasureCache(limits);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, schema, request, contextValue }) {
          if (!operation) return; // operationResolutionPlugin refuses it
          const error = firstExceeded(measures.measure(schema, document, operation, request.variables ?? {}), limits);
          if (error) {
            throw new GraphQLError(error.localizedMessage(contextValue.locale), {
              extensions: { code: error.code, ...error.extensions, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}

function firstExceeded(measure: QueryMeasure, limits: QueryLimits): QueryTooComplex | null {
  if (measure.depth > limits.maxDepth) return new QueryTooComplex('depth', measure.depth, limits.maxDepth);
  if (measure.aliases > limits.maxAliases) return new QueryTooComplex('aliases', measure.aliases, limits.maxAliases);
  if (measure.cost > limits.maxCost) return new QueryTooComplex('cost', measure.cost, limits.maxCost);
  return null;
}

/** Measures kept per operation (of one schema): by the values of the variables the measure reads, a few each. */
const VALUES_PER_OPERATION = 32;

/**
 * The measure of an operation depends on its document, the schema and the values of the variables given to `first`
 * arguments, nothing else. Apollo Server keeps the parsed document of a query it has seen (the same nodes each
 * time), so the measure is kept on its operation node, by the values of those variables, instead of walking the
 * document on every request. A new schema (a supergraph reload) or other values measure again.
 */
export class MeasureCache {
  private readonly byOperation = new WeakMap<OperationDefinitionNode, { schema: GraphQLSchema; read: string[]; byValues: Map<string, QueryMeasure> }>();

  constructor(private readonly limits: QueryLimits) {}

  measure(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): QueryMeasure {
    const known = this.byOperation.get(operation);
    const entry = known?.schema === schema ? known : undefined;
    const key = (read: string[]) => JSON.stringify(read.map((name) => variables[name] ?? null));
    const kept = entry?.byValues.get(key(entry.read));
    if (kept) return kept;
    const read = new Set<string>();
    const measure = measureOperation(schema, document, operation, variables, this.limits, read);
    const target = entry ?? { schema, read: [...read], byValues: new Map<string, QueryMeasure>() };
    if (!entry) this.byOperation.set(operation, target);
    if (target.byValues.size < VALUES_PER_OPERATION) target.byValues.set(key(target.read), measure);
    return measure;
  }
}
