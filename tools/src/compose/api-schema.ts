import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { buildSchema, GraphQLSchema, printSchema } from 'graphql';

/**
 * The `Subscription` type and its payloads, which the gateway serves itself over WebSocket beside the federated graph
 * (Apollo Gateway does not federate subscriptions): part of the API schema clients see and generate types from.
 */
export const LIVE_SCHEMA_FILE = join(__dirname, '..', '..', '..', 'apps', 'gateway', 'src', 'live', 'live.graphql');

/**
 * The schema clients see, from a composed supergraph: Apollo's API schema (no `join__` or `link` machinery, nothing
 * `@inaccessible`), descriptions kept, with the gateway's live `Subscription` type added.
 */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  const federated = printSchema(Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema());
  return buildSchema(`${federated}\n\n${readFileSync(LIVE_SCHEMA_FILE, 'utf8')}`);
}

/** The API schema as SDL text. */
export function printApiSchema(supergraphSdl: string): string {
  return `${printSchema(apiSchemaOf(supergraphSdl)).trimEnd()}\n`;
}
