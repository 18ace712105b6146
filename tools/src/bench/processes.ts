import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WORKSPACE } from '../compose/compose';

/** Resident memory of one process, from /proc/<pid>/status (VmRSS), in MiB; null once it is gone. */
export function rssMiB(pid: number): number | null {
  const kib = rssKiB(pid);
  return kib === null ? null : Math.round((kib / 1024) * 10) / 10;
}

/** Resident memory of one process (VmRSS), in KiB; null once it is gone. */
export function rssKiB(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** The fields of /proc/<pid>/stat the CPU accounting reads; times in clock ticks. */
export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** Fields 14 and 15: this process's own CPU time, all its threads. */
  utime: number;
  stime: number;
  /** Fields 16 and 17: CPU time of its children that exited and were waited for (their whole lives). */
  cutime: number;
  cstime: number;
  /** Field 22: when it started, in ticks since boot (tells a reused pid from the process it replaced). */
  starttime: number;
}

/**
 * Parses one /proc/<pid>/stat line. The command (field 2) is in parentheses and may itself contain spaces and ')',
 * so the fields are counted from the last ')'. Throws on a line that is not one.
 */
export function parseProcStat(line: string): ProcStat {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 1 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  // fields[0] is field 3 (state), so field n is fields[n - 3].
  const fields = line.slice(close + 2).trim().split(' ');
  if (fields.length < 20) throw new Error(`not a /proc/<pid>/stat line (${fields.length + 2} fields): ${line.slice(0, 80)}`);
  const field = (n: number) => {
    const value = Number(fields[n - 3]);
    if (!Number.isFinite(value)) throw new Error(`field ${n} of /proc/<pid>/stat is not a number: ${fields[n - 3]}`);
    return value;
  };
  return {
    pid: Number(line.slice(0, open).trim()),
    comm: line.slice(open + 1, close),
    state: fields[0]!,
    ppid: field(4),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
    starttime: field(22),
  };
}

let ticks: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`), the unit of /proc's CPU times; 100 where it cannot be read. */
export function clockTicksPerSecond(): number {
  ticks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticks;
}

/** CPU time one process has used so far (utime + stime of /proc/<pid>/stat), in seconds; null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const stat = parseProcStat(text);
  return (stat.utime + stat.stime) / clockTicksPerSecond();
}

/** Names given to processes this bench started, by pid: the CPU accounting's group for them and their children. */
const names = new Map<number, string>();

/** Names a process this bench started (its cluster workers count under the same name); forgotten with `forgetProcess`. */
export function nameProcess(pid: number, name: string): void {
  names.set(pid, name);
}

export function forgetProcess(pid: number): void {
  names.delete(pid);
}

/** The name given to a pid with `nameProcess`, if any. */
export function nameOfProcess(pid: number): string | undefined {
  return names.get(pid);
}

/**
 * A Node binary of another major line than the one running the bench, to run the gateway on both in one run
 * (README, "Node versions"): `BENCH_SECOND_NODE` when set, else the Node 24 that `.ci/run` caches, else the
 * machine's own. Null when there is none.
 */
export function secondNode(env: NodeJS.ProcessEnv = process.env): { path: string; version: string } | null {
  const cache = join(env.KZ_NODE_CACHE ?? join(homedir(), '.cache', 'kz-node'));
  const cached = existsSync(cache) ? readdirSync(cache).map((version) => join(cache, version, 'bin', 'node')) : [];
  const candidates = [env.BENCH_SECOND_NODE, ...cached, '/usr/local/bin/node', '/usr/bin/node'].filter((path): path is string => !!path && existsSync(path));
  const major = (version: string) => version.replace(/^v/, '').split('.')[0];
  for (const path of candidates) {
    const version = execFileSync(path, ['-v'], { encoding: 'utf8' }).trim();
    if (major(version) !== major(process.version)) return { path, version };
  }
  return null;
}

/** The processes this bench started that run a given app (apps/<app>/src/main.ts), with their pids. */
export function processesOfApps(apps: readonly string[]): { app: string; pid: number }[] {
  const all = processes();
  const mine = new Set<number>([process.pid]);
  const out: { app: string; pid: number }[] = [];
  // /proc lists pids in ascending order, but a child may have a lower pid than its parent after wrap-around.
  for (let grew = true; grew; ) {
    grew = false;
    for (const info of all) {
      if (mine.has(info.pid) || !mine.has(info.ppid)) continue;
      mine.add(info.pid);
      grew = true;
      const app = appOf(info.command);
      if (app && apps.includes(app)) out.push({ app, pid: info.pid });
    }
  }
  return out;
}

/** A process's command line, its arguments joined by spaces; null once it is gone. */
export function commandLineOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return null; // the process ended while we looked
  }
}

interface ProcessInfo {
  pid: number;
  ppid: number;
  command: string;
}

function processes(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const { ppid } = parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      const command = commandLineOf(Number(entry));
      if (command !== null) out.push({ pid: Number(entry), ppid, command });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** Proportional set size of one process (Pss of /proc/<pid>/smaps_rollup: shared pages split among their users), KiB. */
export function pssKiB(pid: number): number | null {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** A process and everything it started, still running: pid and command line of each, the root first. */
export function processTree(root: number): { pid: number; command: string }[] {
  const all = processes();
  const mine = new Set<number>([root]);
  const out = all.filter((info) => info.pid === root);
  for (let grew = true; grew; ) {
    grew = false;
    for (const info of all) {
      if (mine.has(info.pid) || !mine.has(info.ppid)) continue;
      mine.add(info.pid);
      out.push(info);
      grew = true;
    }
  }
  return out.map(({ pid, command }) => ({ pid, command }));
}

/** The app a command line runs (apps/<app>/src/main.ts), or null. */
export function appOfCommand(command: string): string | null {
  return appOf(command);
}

export interface ProcessMemory {
  process: string;
  pid: number;
  rssMiB: number;
}

/**
 * RSS of every process this bench started and that still runs (its descendants, named by the app they run: the
 * apps/<app>/src/main.ts entry, and gateway cluster workers under their primary), plus the bench process itself.
 */
export function memoryOfDescendants(names: ReadonlyMap<number, string> = new Map()): ProcessMemory[] {
  const all = processes();
  const children = new Map<number, ProcessInfo[]>();
  for (const info of all) children.set(info.ppid, [...(children.get(info.ppid) ?? []), info]);
  const out: ProcessMemory[] = [{ process: 'bench (load generator; runs the notification worker in-process)', pid: process.pid, rssMiB: rssMiB(process.pid) ?? NaN }];
  const walk = (pid: number, parentName: string | null) => {
    for (const child of children.get(pid) ?? []) {
      const own = appOf(child.command);
      const name = names.get(child.pid) ?? (own && parentName === own ? `${own} (cluster worker)` : own);
      const rss = rssMiB(child.pid);
      if (name && rss !== null) out.push({ process: name, pid: child.pid, rssMiB: rss });
      walk(child.pid, own ?? parentName);
    }
  };
  walk(process.pid, null);
  return out;
}

function appOf(command: string): string | null {
  const match = /apps\/([\w-]+)\/src\/main\.ts/.exec(command);
  if (match) return match[1]!;
  if (command.includes('tools/src/bench/noop-worker.ts')) return 'no-op worker';
  return null;
}

export interface GatewayProcess {
  pid: number;
  processes: number;
  stop(): Promise<void>;
}

/**
 * Starts the gateway as deployed (`node apps/gateway/src/main.ts`) with `GATEWAY_WORKERS=workers`, and waits until
 * every one of its processes says it is ready (each logs `gateway ready`), so no load starts before a worker
 * listens: kept-alive connections stay with the worker that accepted them.
 */
export async function launchGateway(env: NodeJS.ProcessEnv, port: number, workers: number | 'auto', node = process.execPath): Promise<GatewayProcess> {
  const expected = workers === 'auto' ? (await import('node:os')).availableParallelism() : Math.max(1, workers);
  const child: ChildProcess = spawn(node, ['--import', 'tsx', join('apps', 'gateway', 'src', 'main.ts')], {
    cwd: WORKSPACE,
    env: { ...env, GATEWAY_PORT: String(port), GATEWAY_WORKERS: String(workers), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout! });
  let ready = 0;
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      let entry: { msg?: string; level?: number } = {};
      try {
        entry = JSON.parse(line);
      } catch {
        process.stderr.write(`gateway: ${line}\n`);
        return;
      }
      if (entry.msg === 'gateway ready' && (ready += 1) === expected) resolve();
      else if ((entry.level ?? 0) >= 40) process.stderr.write(`gateway: ${line}\n`);
    });
    child.once('exit', (code) => reject(new Error(`the gateway exited with ${code} before it was ready`)));
  });
  // Its CPU (and its cluster workers') is counted under this name.
  const variant = [
    `GATEWAY_WORKERS=${workers}`,
    ...(env.TRUSTED_DOCUMENTS === 'enforce' ? ['TRUSTED_DOCUMENTS=enforce'] : []),
    ...(node === process.execPath ? [] : [`Node ${execFileSync(node, ['-v'], { encoding: 'utf8' }).trim()}`]),
  ];
  nameProcess(child.pid!, `gateway (${variant.join(', ')})`);
  return {
    pid: child.pid!,
    processes: expected,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      forgetProcess(child.pid!);
    },
  };
}

/** Starts the bare Apollo Gateway of the gateway benchmarks (./bare-gateway.ts) on `port`, ready once it listens. */
export async function launchBareGateway(env: NodeJS.ProcessEnv, port: number): Promise<GatewayProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join('tools', 'src', 'bench', 'bare-gateway.ts')], {
    cwd: WORKSPACE,
    env: { ...env, GATEWAY_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => line.startsWith('ready ') && resolve());
    child.once('exit', (code) => reject(new Error(`the bare Apollo Gateway exited with ${code} before it was ready`)));
  });
  nameProcess(child.pid!, 'bare Apollo Gateway');
  return {
    pid: child.pid!,
    processes: 1,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
