// Docker HEALTHCHECK: GET /ready of the app named by $APP on its port (the same variables and defaults as
// libs/config/src/variables.ts). Exit 0 when the app answers 2xx, 1 otherwise. Plain Node (global fetch), no packages.
// Readiness, not liveness: compose starts the gateway once its subgraphs are ready (`condition: service_healthy`),
// and `docker ps` shows an app whose database, Redis or (for the gateway) subgraphs are away as unhealthy.
'use strict';

const PORTS = {
  gateway: ['GATEWAY_PORT', 4000],
  'org-subgraph': ['ORG_PORT', 4001],
  'volunteers-subgraph': ['VOLUNTEERS_PORT', 4002],
  'orders-subgraph': ['ORDERS_PORT', 4003],
  'points-subgraph': ['POINTS_PORT', 4004],
  'notifications-subgraph': ['NOTIFICATIONS_PORT', 4005],
  'analytics-subgraph': ['ANALYTICS_PORT', 4006],
  'dispatch-worker': ['DISPATCH_WORKER_PORT', 4010],
  'notification-worker': ['NOTIFICATION_WORKER_PORT', 4011],
  'analytics-worker': ['ANALYTICS_WORKER_PORT', 4012],
  'ops-dashboard': ['OPS_DASHBOARD_PORT', 4020],
};

const entry = PORTS[process.env.APP];
if (!entry) {
  process.stderr.write(`healthcheck: unknown APP ${JSON.stringify(process.env.APP)}\n`);
  process.exit(1);
}
const [variable, fallback] = entry;
const port = process.env[variable] || fallback;

fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(4000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  (error) => {
    process.stderr.write(`healthcheck: ${error.message}\n`);
    process.exit(1);
  },
);
