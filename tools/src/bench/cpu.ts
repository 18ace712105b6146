import { readdirSync, readFileSync } from 'node:fs';
import { appOfCommand, clockTicksPerSecond, commandLineOf, nameOfProcess, parseProcStat, ProcStat } from './processes';

/** The machine's CPU time from the first line of /proc/stat, in clock ticks summed over all CPUs. */
export interface MachineStat {
  /** user + nice + system + irq + softirq (guest time is inside user); steal is not ours, so it is left out. */
  busy: number;
  /** Every column but guest and guest_nice (already inside user and nice). */
  total: number;
}

export function parseMachineStat(text: string): MachineStat {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no "cpu" line in /proc/stat');
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return { busy: user + nice + system + irq + softirq, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

/** The groups a process's CPU time is counted in. */
export const GROUPS = {
  bench: 'bench process (load generator, in-process workers)',
  pgOurs: "Postgres: this run's backends",
  pgServer: 'Postgres: server processes',
  pgOthers: 'Postgres: backends of other databases (not this run)',
  pgExited: 'Postgres: exited backends, time after their last reading (unattributed)',
  redis: 'Redis (shared)',
  other: 'other processes (not this run)',
} as const;

/** Groups that are not this run's work: shown so the noise is visible, left out of "this run". */
export const NOT_THIS_RUN: readonly string[] = [GROUPS.pgOthers, GROUPS.pgExited, GROUPS.other];

/** CPU time used during one measured round, per group (ms), and by the whole machine. */
export interface RoundCpu {
  /** CPU ms per group; "other processes" is the machine's busy time minus every other group. */
  ms: Record<string, number>;
  /** The machine's busy CPU ms over the round (all CPUs), from /proc/stat. */
  machineMs: number;
  /** Wall-clock length of the window, ms. */
  wallMs: number;
}

interface Tracked {
  group: string;
  /** How the group was found, for the children: a name given to the pid, an app, or neither. */
  kind: 'named' | 'app' | 'command' | 'postgres' | 'redis' | 'bench';
  ppid: number;
  starttime: number;
  /** utime + stime when first seen in this window (0 when it started during the window). */
  first: number;
  /** utime + stime when last seen. */
  last: number;
  /** cutime + cstime when first and last seen. */
  firstChildren: number;
  lastChildren: number;
  alive: boolean;
  /** Postgres processes whose command line was not yet rewritten to say what they are (a backend just forked). */
  provisional: boolean;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // the process ended while we looked
  }
}

/**
 * Counts where the machine's CPU goes during a window: this process, each process it started (by the name given to
 * its pid with `nameProcess`, else its app, else its command; a gateway's cluster workers with their primary),
 * Postgres (this run's databases' backends — databases whose name ends in `_<this pid>` —, its server processes,
 * other databases' backends), Redis, and the rest of the machine.
 *
 * Processes are read from /proc at the start, every `pollMs` while the window is open (so a process that exits
 * within it is counted up to its last reading), and at the end. What an exited process used after its last reading
 * is found in its parent's cutime/cstime: for Postgres, the postmaster's, which cannot say whose backend it was (most
 * are other clients' short connections: a pool keeps its connections), so it is a group of its own, not this run's;
 * for this run's children, the children's group when they all had one.
 */
export class CpuWindow {
  private readonly tracked = new Map<number, Tracked>();
  /** Pids seen that belong to no group (their start time, to notice a reused pid). */
  private readonly untracked = new Map<number, number>();
  private readonly ticksToMs = 1000 / clockTicksPerSecond();
  private readonly startedAt = Date.now();
  private readonly machineAtStart: MachineStat;
  private readonly timer: NodeJS.Timeout;
  private readonly ours = new RegExp(`\\s\\w+_${process.pid}(\\s|$)`);

  constructor(pollMs = 100) {
    this.machineAtStart = parseMachineStat(readFileSync('/proc/stat', 'utf8'));
    this.scan(true);
    this.timer = setInterval(() => this.scan(false), pollMs);
    this.timer.unref();
  }

  /** Closes the window: CPU ms per group over it. */
  stop(): RoundCpu {
    clearInterval(this.timer);
    this.scan(false);
    const machine = parseMachineStat(readFileSync('/proc/stat', 'utf8'));
    const ms: Record<string, number> = {};
    const add = (group: string, ticks: number) => (ms[group] = (ms[group] ?? 0) + ticks * this.ticksToMs);
    for (const process of this.tracked.values()) add(process.group, process.last - process.first);
    // Exited processes, after their last reading: in their parent's cutime/cstime, with the whole life of each.
    for (const [pid, parent] of this.tracked) {
      if (!parent.alive) continue;
      const exited = [...this.tracked.values()].filter((child) => !child.alive && child.ppid === pid);
      const rest = parent.lastChildren - parent.firstChildren - exited.reduce((sum, child) => sum + child.last, 0);
      if (rest <= 0) continue;
      const groups = new Set(exited.map((child) => child.group));
      // The postmaster's children that exited unseen are mostly other clients' short connections: not counted as this run's.
      add(parent.kind === 'postgres' ? GROUPS.pgExited : groups.size === 1 ? [...groups][0]! : parent.group, rest);
    }
    const machineMs = (machine.busy - this.machineAtStart.busy) * this.ticksToMs;
    const counted = Object.values(ms).reduce((sum, value) => sum + value, 0);
    ms[GROUPS.other] = machineMs - counted;
    return { ms, machineMs, wallMs: Date.now() - this.startedAt };
  }

  private scan(first: boolean): void {
    const seen = new Set<number>();
    const fresh: ProcStat[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      const known = this.tracked.get(pid);
      const skipped = this.untracked.get(pid);
      if (!known && skipped !== undefined && !first) continue; // not ours to count (a reused pid is the rare exception)
      const text = readText(`/proc/${pid}/stat`);
      if (text === null) continue;
      const stat = parseProcStat(text);
      if (known && known.starttime === stat.starttime) {
        seen.add(pid);
        known.last = stat.utime + stat.stime;
        known.lastChildren = stat.cutime + stat.cstime;
        if (known.provisional) this.classifyPostgres(pid, known);
        continue;
      }
      fresh.push(stat);
    }
    // New processes, parents before children (a child may have a lower pid after wrap-around).
    for (let grew = true; grew; ) {
      grew = false;
      for (let i = 0; i < fresh.length; i += 1) {
        const stat = fresh[i]!;
        const tracked = this.classify(stat, first, fresh);
        if (tracked === 'later') continue;
        fresh.splice(i, 1);
        i -= 1;
        grew = true;
        if (tracked) {
          this.tracked.set(stat.pid, tracked);
          seen.add(stat.pid);
        } else this.untracked.set(stat.pid, stat.starttime);
      }
    }
    for (const [pid, process] of this.tracked) if (!seen.has(pid)) process.alive = false;
  }

  /** The group of a process seen for the first time; null when it is not counted; 'later' until its parent is classified. */
  private classify(stat: ProcStat, first: boolean, pending: ProcStat[]): Tracked | null | 'later' {
    const own = stat.utime + stat.stime;
    const children = stat.cutime + stat.cstime;
    const base = { ppid: stat.ppid, starttime: stat.starttime, first: first ? own : 0, last: own, firstChildren: children, lastChildren: children, alive: true, provisional: false };
    if (stat.pid === process.pid) return { ...base, group: GROUPS.bench, kind: 'bench' };
    if (stat.comm === 'postgres') {
      const tracked: Tracked = { ...base, group: GROUPS.pgServer, kind: 'postgres' };
      this.classifyPostgres(stat.pid, tracked);
      return tracked;
    }
    if (stat.comm === 'redis-server') return { ...base, group: GROUPS.redis, kind: 'redis' };
    const parent = this.tracked.get(stat.ppid);
    if (!parent || (parent.kind !== 'bench' && parent.kind !== 'named' && parent.kind !== 'app' && parent.kind !== 'command')) {
      return pending.some((other) => other.pid === stat.ppid) ? 'later' : null;
    }
    const command = commandLineOf(stat.pid) ?? '';
    const named = nameOfProcess(stat.pid);
    if (named) return { ...base, group: named, kind: 'named' };
    if (parent.kind === 'named') return { ...base, group: parent.group, kind: 'named' };
    const app = appOfCommand(command);
    if (app) return { ...base, group: app, kind: 'app' };
    if (parent.kind === 'app') return { ...base, group: parent.group, kind: 'app' };
    return { ...base, group: stat.comm, kind: 'command' };
  }

  /** A Postgres process's group from its command line (`postgres: <cluster>: <user> <database> <host>(<port>) <state>`). */
  private classifyPostgres(pid: number, tracked: Tracked): void {
    const command = commandLineOf(pid) ?? '';
    tracked.provisional = !command.startsWith('postgres:');
    if (this.ours.test(` ${command}`)) tracked.group = GROUPS.pgOurs;
    else if (/\d\)\s|\[local\]/.test(command)) tracked.group = GROUPS.pgOthers;
    else tracked.group = GROUPS.pgServer;
  }
}

/**
 * The CPU the platform uses at rest: a window of `ms` with no load (its timers, outbox relays, pools, health checks),
 * to set against the rounds' figures, where it is included in proportion to their length.
 */
export async function atRest(ms: number): Promise<RoundCpu> {
  const window = new CpuWindow();
  await new Promise((resolve) => setTimeout(resolve, ms)); // the length of the window measured, not a wait for something
  return window.stop();
}

/** Runs `round` inside a CPU window and puts the window's figures on its result. */
export async function withCpu<T extends { requests: number }>(round: () => Promise<T>): Promise<T & { cpu: RoundCpu }> {
  const window = new CpuWindow();
  try {
    const result = await round();
    return { ...result, cpu: window.stop() };
  } catch (error) {
    window.stop();
    throw error;
  }
}
