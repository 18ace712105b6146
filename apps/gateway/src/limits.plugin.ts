import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { QueryTooComplex } from '@kz/errors';
import type { GatewayContext } from './context';
import { measureOperation, QueryLimits, QueryMeasure } from './limits';

/** Refuses operations over the depth, cost or alias limits before any subgraph is called. */
export function limitsPlugin(limits: QueryLimits): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, schema, request, contextValue }) {
          if (!operation) return; // operationResolutionPlugin refuses it
          const error = firstExceeded(measureOperation(schema, document, operation, request.variables ?? {}, limits), limits);
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
