import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { ASTVisitor, GraphQLError, ValidationContext } from 'graphql';
import { translate } from '@kz/errors';
import type { GatewayContext } from './context';

/**
 * A document whose operation cannot be chosen (an `operationName` it does not hold, or several operations and no
 * name) is the client's mistake: HTTP 400 `OPERATION_RESOLUTION_FAILURE`, as Apollo Server answers without a gateway
 * (and as the subgraphs would), instead of the query planner's HTTP 500 `INVALID_GRAPHQL`.
 */
export function operationResolutionPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request, contextValue }) {
          if (operation) return;
          const message =
            typeof request.operationName === 'string'
              ? translate('request.unknownOperation', { operationName: request.operationName }, contextValue.locale)
              : translate('request.operationNameRequired', {}, contextValue.locale);
          throw new GraphQLError(message, {
            extensions: { code: ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE, http: { status: 400 } },
          });
        },
      };
    },
  };
}

/**
 * A validation rule graphql-js 16 lacks (17 has it as `KnownOperationTypesRule`): an operation type the graph has no
 * root for (a `subscription` today) is a GRAPHQL_VALIDATION_FAILED with HTTP 400, not a failure of the planner.
 */
export function knownOperationTypesRule(context: ValidationContext): ASTVisitor {
  const schema = context.getSchema();
  return {
    OperationDefinition(node) {
      if (!schema.getRootType(node.operation)) {
        context.reportError(new GraphQLError(`The graph has no ${node.operation} operations.`, { nodes: node }));
      }
    },
  };
}
