import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';

const PAGE = join(__dirname, 'page');
const WORKSPACE = join(__dirname, '..', '..', '..', '..');

export interface PageServer {
  /** The port; the page's origin is `http://localhost:<port>` or `http://127.0.0.1:<port>`, two origins. */
  port: number;
  stop(): Promise<void>;
}

/**
 * The front-end team's side: `page/index.html` and `page/main.ts` bundled for the browser with esbuild (`@kz/client`
 * resolved from the workspace as an app would install it), served by a static server of its own on 127.0.0.1.
 */
export async function startPageServer(): Promise<PageServer> {
  const bundle = await build({
    entryPoints: [join(PAGE, 'main.ts')],
    absWorkingDir: WORKSPACE,
    tsconfig: join(PAGE, 'tsconfig.json'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const files: Record<string, { type: string; body: string }> = {
    '/': { type: 'text/html; charset=utf-8', body: readFileSync(join(PAGE, 'index.html'), 'utf8') },
    '/app.js': { type: 'text/javascript; charset=utf-8', body: bundle.outputFiles[0]!.text },
  };
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://localhost').pathname];
    if (req.method !== 'GET' || !file) {
      res.writeHead(req.url === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
