import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '@kz/config';
import { createLogger, Logger } from '@kz/telemetry';
import { buildConsoleAssets, ConsoleAssets } from './bundle';

export interface ConsoleOptions {
  /** 0 picks a free port (tests); default `CONSOLE_PORT`. */
  port?: number;
  /** Default `CONSOLE_GATEWAY_URL`, else the local gateway. */
  gatewayUrl?: string;
  log?: Logger;
  /** Already built (tests build once). */
  assets?: ConsoleAssets;
}

export interface RunningConsole {
  url: string;
  port: number;
  log: Logger;
  server: Server;
  stop(): Promise<void>;
}

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * The page may run only its own script and style, show images from https (residents' photos), and talk to the
 * gateway alone (HTTP, and WebSocket for live updates); it may not be framed.
 */
export function contentSecurityPolicy(gatewayUrl: string): string {
  const gateway = new URL(gatewayUrl);
  const live = `${gateway.protocol === 'https:' ? 'wss:' : 'ws:'}//${gateway.host}`;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' https: data:",
    `connect-src ${gateway.origin} ${live}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The reference console's server: the page, its one script and its style sheet, with a content security policy;
 * `/health` for the launcher (and `/ready`, the same). Nothing else: the page calls the gateway itself.
 */
export async function startConsole(config: Config, options: ConsoleOptions = {}): Promise<RunningConsole> {
  const log = options.log ?? createLogger('console', config.LOG_LEVEL);
  const gatewayUrl = options.gatewayUrl ?? config.CONSOLE_GATEWAY_URL ?? `http://localhost:${config.GATEWAY_PORT}/graphql`;
  const assets = options.assets ?? (await buildConsoleAssets());
  const common = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': contentSecurityPolicy(gatewayUrl),
  };
  const files: Record<string, { type: string; body: string; cache: string }> = {
    '/': { type: 'text/html; charset=utf-8', body: assets.html.replace('%GATEWAY_URL%', escapeAttribute(gatewayUrl)), cache: 'no-cache' },
    '/app.js': { type: 'text/javascript; charset=utf-8', body: assets.js, cache: 'no-cache' },
    '/app.css': { type: 'text/css; charset=utf-8', body: assets.css, cache: 'no-cache' },
    '/health': { type: 'application/json; charset=utf-8', body: '{"status":"ok"}', cache: 'no-store' },
    // Static files only, nothing to wait for: ready whenever it is alive.
    '/ready': { type: 'application/json; charset=utf-8', body: '{"status":"ok"}', cache: 'no-store' },
  };
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://localhost').pathname];
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !file) {
      res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405, common).end();
      return;
    }
    res.writeHead(200, { ...common, 'content-type': file.type, 'cache-control': file.cache, 'content-length': Buffer.byteLength(file.body) });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  });
  server.listen(options.port ?? config.CONSOLE_PORT, config.HOST);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  log.info({ port, gatewayUrl, scriptBytes: Buffer.byteLength(assets.js) }, 'console listening');
  return {
    url: `http://localhost:${port}`,
    port,
    log,
    server,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
