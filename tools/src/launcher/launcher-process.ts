import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { checkPortFree, processAlive } from './data-folder';

const WORKSPACE = join(__dirname, '..', '..', '..');

/** The port variable of every app `npm start` runs: a test or a bench gives each a free port of its own. */
export const APP_PORT_VARIABLES = [
  'GATEWAY_PORT',
  'ORG_PORT',
  'VOLUNTEERS_PORT',
  'ORDERS_PORT',
  'POINTS_PORT',
  'NOTIFICATIONS_PORT',
  'ANALYTICS_PORT',
  'DISPATCH_WORKER_PORT',
  'NOTIFICATION_WORKER_PORT',
  'ANALYTICS_WORKER_PORT',
  'OPS_DASHBOARD_PORT',
  'CONSOLE_PORT',
];

/**
 * `npm start` as a child process, for tests: its output, the pids of what it started (it prints each), and a stop
 * that leaves nothing behind even when the launcher itself misbehaves.
 */
export class LauncherProcess {
  private readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<number | null>;

  constructor(
    env: NodeJS.ProcessEnv,
    private readonly clusterDir?: string,
  ) {
    this.child = spawn(process.execPath, ['--import', 'tsx', join('tools', 'src', 'launcher', 'main.ts')], {
      cwd: WORKSPACE,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (this.output += chunk));
    }
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves with the match once the output has it; fails when the launcher exits first or the deadline passes. */
  async waitFor(pattern: RegExp, timeoutMs = 300_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`the launcher exited (${this.child.exitCode ?? this.child.signalCode}) before printing ${pattern}:\n${this.output.slice(-3000)}`);
      }
      if (Date.now() > deadline) throw new Error(`the launcher did not print ${pattern} within ${timeoutMs} ms:\n${this.output.slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50)); // poll interval
    }
  }

  /** The pids of every process the launcher said it started (apps, restarts, the embedded server). */
  startedPids(): number[] {
    return [...this.output.matchAll(/started \(pid (\d+)\)|answers on [\d.:]+ \(pid (\d+)\)/g)].map((match) => Number(match[1] ?? match[2]));
  }

  /** SIGTERM, as Ctrl-C would; resolves with the exit code (null after a kill). */
  async stop(timeoutMs = 60_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  /** After a failed test: stops the launcher, then kills whatever it started that still runs. */
  async stopEverything(): Promise<void> {
    await this.stop();
    const pids = this.startedPids();
    if (this.clusterDir) {
      try {
        pids.push(Number(readFileSync(join(this.clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]));
      } catch {
        // no server running on the folder
      }
    }
    for (const pid of pids) {
      if (pid > 0 && processAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  }
}

/**
 * Distinct free ports below the system's ephemeral range (32768 and up on Linux), for apps the test starts through
 * *_PORT variables: a port from `listen(0)` is handed out again to any other socket (another test's server, an outgoing
 * connection) in the seconds between the choice and the app's listen, and a port below that range is not.
 */
export async function stablePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = randomInt(20_000, 32_768);
    if (ports.has(port)) continue;
    const free = await checkPortFree('127.0.0.1', port, 'test').then(
      () => true,
      () => false,
    );
    if (free) ports.add(port);
  }
  return [...ports];
}
