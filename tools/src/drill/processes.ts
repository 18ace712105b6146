import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, WriteStream } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE } from '../compose/compose';
import { waitHealthy } from '../launcher/launcher';

export interface AppProcess {
  /** Unique name of this process (`dispatch-1`, `points`…). */
  name: string;
  /** Directory under apps/. */
  dir: string;
  port: number;
  /** Variables of this process only (its port, for a worker replica). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The platform's apps as separate OS processes, as `npm start` runs them, except that one may die or be stopped
 * without the others stopping: that is what the drills do. Each process logs to its own file.
 */
export class Processes {
  private readonly children = new Map<string, ChildProcess>();
  private readonly specs = new Map<string, AppProcess>();
  private readonly logs: WriteStream[] = [];

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    readonly logDir: string,
  ) {}

  /** Starts an app (again, under the same name) and waits for its `/health`. */
  async start(app: AppProcess): Promise<void> {
    this.specs.set(app.name, app);
    const log = createWriteStream(join(this.logDir, `${app.name}.log`), { flags: 'a' });
    this.logs.push(log);
    const child = spawn(process.execPath, ['--import', 'tsx', join('apps', app.dir, 'src', 'main.ts')], {
      cwd: WORKSPACE,
      env: { ...this.env, ...app.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: a Ctrl-C of the drill reaches only the drill, which stops them
    });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    this.children.set(app.name, child);
    child.on('exit', () => {
      if (this.children.get(app.name) === child) this.children.delete(app.name);
    });
    await waitHealthy(app.port, () => this.isRunning(app.name), 120_000);
  }

  /** Starts a stopped or killed app again with its earlier settings. */
  restart(name: string): Promise<void> {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`no app ${name}`);
    return this.start(spec);
  }

  isRunning(name: string): boolean {
    return this.children.has(name);
  }

  pid(name: string): number | undefined {
    return this.children.get(name)?.pid;
  }

  /** Sends a signal and waits until the process has exited (SIGKILL: a crash; SIGTERM: a graceful stop). */
  async signal(name: string, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const child = this.children.get(name);
    if (!child) throw new Error(`${name} is not running`);
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }

  /** SIGSTOP / SIGCONT: freezes a process (it keeps its connections and jobs) and lets it go on. */
  freeze(name: string, frozen: boolean): void {
    const child = this.children.get(name);
    if (!child) throw new Error(`${name} is not running`);
    child.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  /** Stops everything still running (SIGTERM, then SIGKILL after 15 s). */
  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.children.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGCONT'); // in case a drill left it frozen
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    for (const log of this.logs) log.end();
  }

  /** Last resort if the drill itself goes away. */
  killAll(): void {
    for (const child of this.children.values()) child.kill('SIGKILL');
  }
}
