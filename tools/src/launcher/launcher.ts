import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Config } from '@kz/config';
import { formatLine, prefixFor } from './log-format';

export interface AppSpec {
  name: string;
  dir: string;
  port: number;
}

/**
 * Boot order: subgraphs first (the gateway needs them to plan queries), then the gateway, then the workers and the
 * ops dashboard.
 */
export function appsOf(config: Config): AppSpec[][] {
  return [
    [
      { name: 'org', dir: 'org-subgraph', port: config.ORG_PORT },
      { name: 'volunteers', dir: 'volunteers-subgraph', port: config.VOLUNTEERS_PORT },
      { name: 'orders', dir: 'orders-subgraph', port: config.ORDERS_PORT },
      { name: 'points', dir: 'points-subgraph', port: config.POINTS_PORT },
      { name: 'notifications', dir: 'notifications-subgraph', port: config.NOTIFICATIONS_PORT },
    ],
    [{ name: 'gateway', dir: 'gateway', port: config.GATEWAY_PORT }],
    [
      { name: 'dispatch', dir: 'dispatch-worker', port: config.DISPATCH_WORKER_PORT },
      { name: 'notification', dir: 'notification-worker', port: config.NOTIFICATION_WORKER_PORT },
      { name: 'ops', dir: 'ops-dashboard', port: config.OPS_DASHBOARD_PORT },
    ],
  ];
}

const WORKSPACE = join(__dirname, '..', '..', '..');

/** Runs every app as a child process with prefixed, readable logs; stops them all together. */
export class Launcher {
  private readonly children = new Map<string, ChildProcess>();
  private stopping = false;
  readonly exited: Promise<number>;
  private resolveExited!: (code: number) => void;

  constructor(
    private readonly width = 12,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
  }

  start(app: AppSpec, index: number): void {
    // Own process group: Ctrl-C reaches only the launcher, which then stops each app once, in order.
    const child = spawn(process.execPath, ['--import', 'tsx', join('apps', app.dir, 'src', 'main.ts')], {
      cwd: WORKSPACE,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.children.set(app.name, child);
    const prefix = prefixFor(app.name, index, this.width);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix} ${formatLine(line)}\n`));
    }
    child.on('exit', (code, signal) => {
      this.children.delete(app.name);
      if (!this.stopping) {
        process.stdout.write(`${prefix} exited unexpectedly (${signal ?? `code ${code}`}); stopping everything\n`);
        void this.stop(1);
      } else if (this.children.size === 0) {
        this.resolveExited(this.exitCode);
      }
    });
  }

  private exitCode = 0;

  async stop(code = 0): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.exitCode = code;
    if (this.children.size === 0) {
      this.resolveExited(code);
      return;
    }
    await Promise.all(
      [...this.children.values()].map(async (child) => {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  isRunning(name: string): boolean {
    return this.children.has(name);
  }

  /** Kills what is still running if the launcher itself goes away. */
  killAll(): void {
    for (const child of this.children.values()) child.kill('SIGKILL');
  }
}

/** Polls an app's /health until it answers 200 (or the app dies, or the deadline passes). */
export async function waitHealthy(port: number, isAlive: () => boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`app on port ${port} stopped before it became healthy`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250)); // poll interval while the app boots
  }
  throw new Error(`app on port ${port} did not become healthy within ${timeoutMs / 1000} s`);
}
