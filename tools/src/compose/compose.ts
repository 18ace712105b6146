import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { printApiSchema } from './api-schema';

export const WORKSPACE = join(__dirname, '..', '..', '..');
export const SUPERGRAPH_FILE = join(WORKSPACE, 'apps', 'gateway', 'supergraph.graphql');
/** The client-facing API schema: what front-end teams generate types from (`libs/client`). */
export const API_SCHEMA_FILE = join(WORKSPACE, 'apps', 'gateway', 'schema.graphql');

/** The subgraphs of the supergraph, with the routing URLs of a local run (the gateway can override them). */
export const SUBGRAPHS = [
  { name: 'org', dir: 'org-subgraph', url: 'http://localhost:4001/graphql' },
  { name: 'volunteers', dir: 'volunteers-subgraph', url: 'http://localhost:4002/graphql' },
  { name: 'orders', dir: 'orders-subgraph', url: 'http://localhost:4003/graphql' },
  { name: 'points', dir: 'points-subgraph', url: 'http://localhost:4004/graphql' },
  { name: 'notifications', dir: 'notifications-subgraph', url: 'http://localhost:4005/graphql' },
  { name: 'analytics', dir: 'analytics-subgraph', url: 'http://localhost:4006/graphql' },
];

export interface Composed {
  /** The supergraph SDL the gateway plans with (`join__` / `link__` elements and all). */
  supergraph: string;
  /**
   * The API schema clients see: federation's own types and directives removed, `@inaccessible` elements dropped,
   * descriptions kept.
   */
  apiSchema: string;
}

/** Composes every subgraph's `schema.graphql` with Apollo's composition library; throws listing every error. */
export function compose(): Composed {
  const result = composeServices(
    SUBGRAPHS.map(({ name, dir, url }) => ({
      name,
      url,
      typeDefs: parse(readFileSync(join(WORKSPACE, 'apps', dir, 'schema.graphql'), 'utf8')),
    })),
  );
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((error) => `  - ${error.message}`).join('\n')}`);
  }
  const supergraph = `${result.supergraphSdl.trimEnd()}\n`;
  return { supergraph, apiSchema: printApiSchema(supergraph) };
}

/** The supergraph SDL alone. */
export function composeSupergraph(): string {
  return compose().supergraph;
}
