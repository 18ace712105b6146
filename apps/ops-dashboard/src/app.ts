import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { NextFunction, Request, Response } from 'express';
import type { Queue } from 'bullmq';
import { createJwtVerifier } from '@kz/auth';
import type { Config } from '@kz/config';
import { pickLocale } from '@kz/errors';
import { openQueueBackend, QUEUES, QueueName, Queues } from '@kz/events';
import { readinessBody, REQUEST_ID_HEADER, sendError, sendJson } from '@kz/http';
import { createLogger, createMetrics, Logger, runInRequestScope } from '@kz/telemetry';
import { registerQueueGauges } from '@kz/worker';
import { authorizeAdmin, presentedToken, secondsLeft, SESSION_COOKIE, sessionCookie } from './admin-auth';
import { loginPage } from './login-page';
import { SubscriptionLagReader } from './subscriptions/subscription-lag';
import { subscriptionsPage } from './subscriptions/subscriptions-page';

export interface OpsDashboardOptions {
  /** 0 picks a free port (tests). */
  port?: number;
  log?: Logger;
}

export interface RunningOpsDashboard {
  url: string;
  log: Logger;
  server: Server;
  stop(): Promise<void>;
}

const PING_TIMEOUT_MS = 2000;
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The ops dashboard: Bull Board over every queue of the routing table, with the workers' BullMQ prefix, and
 * `/subscriptions`, the event stream's subscriptions with their lag (read from the analytics worker's database), behind
 * admin authentication (a CENTER_ADMIN bearer token, or the HttpOnly cookie its sign-in form sets). `/health`, `/ready` and
 * `/metrics` are open like every app's; `/metrics` carries the depth and failed-set size of every queue, including
 * those consumed inside the subgraphs.
 */
export async function startOpsDashboard(config: Config, options: OpsDashboardOptions = {}): Promise<RunningOpsDashboard> {
  const log = options.log ?? createLogger('ops-dashboard', config.LOG_LEVEL);
  const backend = await openQueueBackend(config, { role: 'producer', assertReachable: true, log });
  const metrics = createMetrics('ops-dashboard');
  const verify = createJwtVerifier(config);
  const secureCookie = config.NODE_ENV === 'production';

  const queues = new Queues(backend, config.QUEUE_PREFIX);
  const all = new Map<QueueName, Queue>(QUEUES.map((name) => [name, queues.get(name)]));
  registerQueueGauges(metrics.registry, all, log);
  const subscriptions = new SubscriptionLagReader(config);

  const board = new ExpressAdapter();
  board.setBasePath('/');
  createBullBoard({
    queues: [...all.values()].map((queue) => new BullMQAdapter(queue)),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: '开州 · queues' } },
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  // Request id, metrics and a per-request logger, as every app of the platform has them.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const header = req.headers[REQUEST_ID_HEADER];
    const supplied = typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : undefined;
    runInRequestScope(supplied, () => {
      res.on('finish', () => {
        const route = routeOf(req.path);
        metrics.httpRequests.inc({ route, status: String(res.statusCode) });
        metrics.httpDuration.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9);
      });
      next();
    });
  });

  // Liveness: the process answers. Readiness: the queues (Redis, or the queue database) answer.
  app.get('/health', (_req, res) => {
    sendJson(res, 200, { service: 'ops-dashboard', status: 'ok', checks: {} });
  });
  app.get('/ready', async (_req, res) => {
    const check = await backend.check(PING_TIMEOUT_MS);
    const report = { status: check === 'ok' ? ('ok' as const) : ('down' as const), checks: { [backend.kind === 'redis' ? 'redis' : 'queues']: check } };
    sendJson(res, report.status === 'ok' ? 200 : 503, readinessBody('ops-dashboard', report));
  });
  app.get('/metrics', async (_req, res) => {
    const body = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body);
  });

  app.get('/login', (_req, res) => {
    res.type('html').send(loginPage());
  });
  app.post('/login', express.urlencoded({ extended: false, limit: config.MAX_BODY_BYTES }), async (req, res) => {
    const token = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
    const decision = await authorizeAdmin(verify, token || undefined);
    if (!decision.allowed) {
      log.warn({ status: decision.status, code: decision.error.code }, 'ops dashboard sign-in refused');
      res.status(decision.status).type('html').send(loginPage(decision.error.localizedMessage(pickLocale(req.headers['accept-language']))));
      return;
    }
    log.info({ sub: decision.claims.sub }, 'ops dashboard sign-in');
    res.setHeader('set-cookie', sessionCookie(token, secondsLeft(token), secureCookie));
    res.redirect(303, './');
  });
  app.post('/logout', (_req, res) => {
    res.setHeader('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    res.redirect(303, 'login');
  });

  // Everything else (the board and its API) needs a CENTER_ADMIN.
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      const decision = await authorizeAdmin(verify, presentedToken(req));
      if (decision.allowed) {
        next();
        return;
      }
      const locale = pickLocale(req.headers['accept-language']);
      const wantsPage = req.method === 'GET' && !req.path.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html');
      if (wantsPage) {
        res.status(decision.status).type('html').send(loginPage(decision.error.localizedMessage(locale)));
      } else {
        if (decision.status === 401) res.setHeader('www-authenticate', 'Bearer');
        sendError(res, decision.status, decision.error, locale);
      }
    } catch (error) {
      next(error);
    }
  });
  app.get('/subscriptions', async (_req, res) => {
    const read = await subscriptions.read().catch((error: Error) => {
      log.warn({ err: error.message }, 'cannot read the event subscriptions');
      return { problem: error.message };
    });
    res.status(Array.isArray(read) ? 200 : 503).type('html').send(subscriptionsPage(config.ANALYTICS_DATABASE, read));
  });
  app.use('/', board.getRouter());
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    log.error({ err: error }, 'ops dashboard request failed');
    if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    else res.end();
  });

  const server = createServer(app);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.listen(options.port ?? config.OPS_DASHBOARD_PORT, config.HOST);
  try {
    await once(server, 'listening');
  } catch (error) {
    await subscriptions.close();
    await queues.close();
    await backend.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  const url = `http://${host}:${port}`;
  log.info({ url, queues: [...all.keys()] }, 'ops dashboard ready');

  let stopping: Promise<void> | undefined;
  return {
    url,
    log,
    server,
    stop() {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 5_000);
        await closed;
        clearTimeout(force);
        await subscriptions.close();
        await queues.close();
        await backend.close();
        log.info('ops dashboard stopped');
      })();
      return stopping;
    },
  };
}

/** A bounded route label for the metrics (never raw paths: job ids would explode the series). */
function routeOf(path: string): string {
  if (path === '/health' || path === '/ready' || path === '/metrics' || path === '/login' || path === '/logout') return path.slice(1);
  if (path.startsWith('/api/')) return 'api';
  if (path === '/subscriptions') return 'subscriptions';
  if (path.startsWith('/static/')) return 'static';
  return 'ui';
}
