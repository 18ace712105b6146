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
  /** Node arguments that run the app; default: its `apps/<dir>/src/main.ts` through tsx. */
  args?: string[];
}

/**
 * Boot order: subgraphs first (the gateway needs them to plan queries), then the gateway, then the workers and the
 * ops dashboard, then the reference console (after its documents are published to the running gateway's registry).
 */
export function appsOf(config: Config): AppSpec[][] {
  return [
    [
      { name: 'org', dir: 'org-subgraph', port: config.ORG_PORT },
      { name: 'volunteers', dir: 'volunteers-subgraph', port: config.VOLUNTEERS_PORT },
      { name: 'orders', dir: 'orders-subgraph', port: config.ORDERS_PORT },
      { name: 'points', dir: 'points-subgraph', port: config.POINTS_PORT },
      { name: 'notifications', dir: 'notifications-subgraph', port: config.NOTIFICATIONS_PORT },
      // `analytics` is the worker that keeps the figures; this is the subgraph that reads them.
      { name: 'analytics-graph', dir: 'analytics-subgraph', port: config.ANALYTICS_PORT },
    ],
    [{ name: 'gateway', dir: 'gateway', port: config.GATEWAY_PORT }],
    [
      { name: 'dispatch', dir: 'dispatch-worker', port: config.DISPATCH_WORKER_PORT },
      { name: 'notification', dir: 'notification-worker', port: config.NOTIFICATION_WORKER_PORT },
      { name: 'analytics', dir: 'analytics-worker', port: config.ANALYTICS_WORKER_PORT },
      { name: 'ops', dir: 'ops-dashboard', port: config.OPS_DASHBOARD_PORT },
    ],
    [{ name: 'console', dir: 'console', port: config.CONSOLE_PORT }],
  ];
}

const WORKSPACE = join(__dirname, '..', '..', '..');

/**
 * When a crashed app is started again, and when the launcher gives up. An app that crashes `maxCrashes` times within
 * `windowMs` is crash-looping (a bad configuration, a migration that fails): restarting it again would only hide that,
 * so everything stops with a message. Below that, the n-th crash in the window waits `backoffMs(n)` before the restart.
 */
export interface RestartPolicy {
  maxCrashes: number;
  windowMs: number;
  backoffMs(crashesInWindow: number): number;
}

/** `npm start`'s policy: restart after 1 s, 2 s, 4 s, 8 s; the 5th crash within 60 s stops everything. */
export const RESTART_POLICY: RestartPolicy = {
  maxCrashes: 5,
  windowMs: 60_000,
  backoffMs: (crashes) => Math.min(1000 * 2 ** (crashes - 1), 30_000),
};

/** Stops everything at the first crash (benchmarks and drills, where a crash must not be papered over). */
export const NO_RESTART: RestartPolicy = { maxCrashes: 1, windowMs: Infinity, backoffMs: () => 0 };

export interface LauncherOptions {
  width?: number;
  env?: NodeJS.ProcessEnv;
  policy?: RestartPolicy;
  /** Where the launcher's own lines and the apps' prefixed lines go (default: stdout). */
  write?: (text: string) => void;
}

interface Supervised {
  app: AppSpec;
  index: number;
  child?: ChildProcess;
  crashes: number[];
  restartTimer?: NodeJS.Timeout;
}

/**
 * Runs every app as a child process with prefixed, readable logs. An app that exits on its own is started again after
 * a backoff (see `RestartPolicy`); everything stops together on `stop()` or when an app keeps crashing.
 */
export class Launcher {
  private readonly apps = new Map<string, Supervised>();
  private stopping = false;
  private exitCode = 0;
  readonly exited: Promise<number>;
  private resolveExited!: (code: number) => void;
  private readonly width: number;
  private readonly env: NodeJS.ProcessEnv;
  private readonly policy: RestartPolicy;
  private readonly write: (text: string) => void;
  /** Why the launcher stopped everything by itself (a crash loop), for the caller's last words. */
  failure: string | null = null;

  constructor(options: LauncherOptions = {}) {
    this.width = options.width ?? 12;
    this.env = options.env ?? process.env;
    this.policy = options.policy ?? RESTART_POLICY;
    this.write = options.write ?? ((text) => process.stdout.write(text));
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
  }

  start(app: AppSpec, index: number): void {
    const supervised: Supervised = { app, index, crashes: [] };
    this.apps.set(app.name, supervised);
    this.spawn(supervised);
  }

  private spawn(supervised: Supervised): void {
    const { app, index } = supervised;
    // Own process group: Ctrl-C reaches only the launcher, which then stops each app once, in order.
    const args = app.args ?? ['--import', 'tsx', join('apps', app.dir, 'src', 'main.ts')];
    const child = spawn(process.execPath, args, { cwd: WORKSPACE, env: this.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    supervised.child = child;
    const prefix = prefixFor(app.name, index, this.width);
    this.write(`${prefix} started (pid ${child.pid})\n`);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => this.write(`${prefix} ${formatLine(line)}\n`));
    }
    child.on('exit', (code, signal) => {
      supervised.child = undefined;
      if (this.stopping) {
        if (this.runningCount() === 0) this.resolveExited(this.exitCode);
        return;
      }
      const how = signal ?? `code ${code}`;
      const now = Date.now();
      supervised.crashes = [...supervised.crashes.filter((at) => now - at < this.policy.windowMs), now];
      const crashes = supervised.crashes.length;
      if (crashes >= this.policy.maxCrashes) {
        this.failure =
          `${app.name} exited unexpectedly (${how}) ${crashes === 1 ? 'and is not restarted' : `${crashes} times within ${this.policy.windowMs / 1000} s: it keeps crashing`}; ` +
          `stopping everything. Its log lines above say why.`;
        this.write(`${prefix} ${this.failure}\n`);
        void this.stop(1);
        return;
      }
      const delay = this.policy.backoffMs(crashes);
      this.write(
        `${prefix} exited unexpectedly (${how}); restarting in ${delay / 1000} s ` +
          `(crash ${crashes} within ${this.policy.windowMs / 1000} s; at ${this.policy.maxCrashes} everything stops)\n`,
      );
      supervised.restartTimer = setTimeout(() => {
        supervised.restartTimer = undefined;
        if (!this.stopping) this.spawn(supervised);
      }, delay);
    });
  }

  private runningCount(): number {
    return [...this.apps.values()].filter((supervised) => supervised.child).length;
  }

  async stop(code = 0): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.exitCode = code;
    for (const supervised of this.apps.values()) clearTimeout(supervised.restartTimer);
    const children = [...this.apps.values()].flatMap((supervised) => (supervised.child ? [supervised.child] : []));
    if (children.length === 0) {
      this.resolveExited(code);
      return;
    }
    await Promise.all(
      children.map(async (child) => {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  /** True while the app runs or waits for its restart; false once the launcher stops (or never started it). */
  isRunning(name: string): boolean {
    return !this.stopping && this.apps.has(name);
  }

  /** The process id of the app's current run (none while it waits for a restart). */
  pidOf(name: string): number | undefined {
    return this.apps.get(name)?.child?.pid;
  }

  /** Kills what is still running if the launcher itself goes away. */
  killAll(): void {
    for (const supervised of this.apps.values()) {
      clearTimeout(supervised.restartTimer);
      supervised.child?.kill('SIGKILL');
    }
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
