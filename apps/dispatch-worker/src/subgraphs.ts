import type { Config } from '@kz/config';
import { ServiceClient, serviceClaims } from '@kz/worker';

/** Who the dispatch worker is when it calls a subgraph. */
export const WORKER_CLAIMS = serviceClaims('dispatch-worker');

/** Where the worker reaches a subgraph: the configured override, or the subgraph's port on this host. */
export function subgraphUrl(config: Config, name: 'org' | 'orders'): string {
  return name === 'org'
    ? (config.ORG_SUBGRAPH_URL ?? `http://localhost:${config.ORG_PORT}/graphql`)
    : (config.ORDERS_SUBGRAPH_URL ?? `http://localhost:${config.ORDERS_PORT}/graphql`);
}

export function subgraphClient(config: Config, name: 'org' | 'orders'): ServiceClient {
  return new ServiceClient({ url: subgraphUrl(config, name), secret: config.CLAIMS_SIGNING_SECRET, claims: WORKER_CLAIMS });
}
