import { startGateway } from '@kz/gateway';
import { startOrgSubgraph } from '@kz/org-subgraph';
import { startStack } from '@kz/testing';

/** The platform as a client sees it: gateway plus subgraphs, in this process, on private databases. */
export function startPlatform() {
  return startStack({
    subgraphs: {
      org: (config) => startOrgSubgraph(config, { port: 0 }),
    },
    gateway: (config, subgraphUrls) => startGateway(config, { port: 0, subgraphUrls }),
  });
}
