import type { Config } from '@kz/config';
import { ServiceClient, serviceClaims } from '@kz/worker';

/** Who the dispatch worker is when it calls a subgraph. */
export const WORKER_CLAIMS = serviceClaims('dispatch-worker');

/** Where the worker reaches a subgraph: the configured override, or the subgraph's port on this host. */
export function subgraphUrl(config: Config, name: 'org' | 'orders' | 'points'): string {
  switch (name) {
    case 'org':
      return config.ORG_SUBGRAPH_URL ?? `http://localhost:${config.ORG_PORT}/graphql`;
    case 'orders':
      return config.ORDERS_SUBGRAPH_URL ?? `http://localhost:${config.ORDERS_PORT}/graphql`;
    case 'points':
      return config.POINTS_SUBGRAPH_URL ?? `http://localhost:${config.POINTS_PORT}/graphql`;
  }
}

export function subgraphClient(config: Config, name: 'org' | 'orders' | 'points'): ServiceClient {
  return new ServiceClient({ url: subgraphUrl(config, name), secret: config.CLAIMS_SIGNING_SECRET, claims: WORKER_CLAIMS });
}
