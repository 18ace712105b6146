import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { CpuWindow, GROUPS, parseMachineStat } from './cpu';
import { cpuPerRequest, cpuTable } from './load';
import { clockTicksPerSecond, forgetProcess, nameProcess, parseProcStat } from './processes';

/** Spends `ms` of this process's CPU time (not wall time: the machine may be busy). */
function burn(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
}

describe('/proc parsing', () => {
  it('reads this process from /proc/self/stat', () => {
    const stat = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
    expect(stat.pid).toBe(process.pid);
    expect(stat.ppid).toBe(process.ppid);
    expect(stat.comm.length).toBeGreaterThan(0);
    // CPU time is counted in clock ticks; it only grows.
    const own = stat.utime + stat.stime;
    burn(30);
    const later = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
    expect(later.utime + later.stime).toBeGreaterThanOrEqual(own);
    expect(later.starttime).toBe(stat.starttime);
  });

  it('counts the fields from the last ")", so a command with spaces and ")" in it does not shift them', () => {
    const line = '4242 (my ) odd (cmd) S 17 4242 4242 0 -1 4194560 1200 0 3 0 731 245 12 7 20 0 11 0 98765 1234567 890 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n';
    expect(parseProcStat(line)).toEqual({
      pid: 4242,
      comm: 'my ) odd (cmd',
      state: 'S',
      ppid: 17,
      utime: 731,
      stime: 245,
      cutime: 12,
      cstime: 7,
      starttime: 98765,
    });
  });

  it('rejects what is not a stat line', () => {
    expect(() => parseProcStat('')).toThrow();
    expect(() => parseProcStat('12 (short) S 1 2 3')).toThrow();
    expect(() => parseProcStat('12 (bad) S x 0 0 0 0 0 0 0 0 0 u 0 0 0 0 0 0 0 0 0 0')).toThrow(/not a number/);
  });

  it('reads the machine line of /proc/stat: busy without idle, iowait and steal', () => {
    const text = 'cpu  100 5 40 1000 20 3 2 7 50 0\ncpu0 50 2 20 500 10 1 1 3 25 0\nintr 1\n';
    expect(parseMachineStat(text)).toEqual({ busy: 100 + 5 + 40 + 3 + 2, total: 100 + 5 + 40 + 1000 + 20 + 3 + 2 + 7 });
    const machine = parseMachineStat(readFileSync('/proc/stat', 'utf8'));
    expect(machine.busy).toBeGreaterThan(0);
    expect(machine.total).toBeGreaterThan(machine.busy);
  });

  it('knows the clock tick', () => {
    expect(clockTicksPerSecond()).toBeGreaterThan(0);
  });
});

describe('CpuWindow', () => {
  const tick = 1000 / clockTicksPerSecond();

  it("counts this process's CPU in the bench group and the machine's busy time", () => {
    const window = new CpuWindow();
    burn(300);
    const used = window.stop();
    expect(used.ms[GROUPS.bench]).toBeGreaterThanOrEqual(300 - 2 * tick);
    expect(used.machineMs).toBeGreaterThanOrEqual(300 - 2 * tick);
    // Every group and the rest add up to the machine's busy time.
    expect(Object.values(used.ms).reduce((sum, ms) => sum + ms, 0)).toBeCloseTo(used.machineMs, 6);
  });

  it('counts a child that starts and exits within the window under the name given to it, to its last tick', async () => {
    const window = new CpuWindow(50);
    const script = 'const s = process.cpuUsage(); for (;;) { const u = process.cpuUsage(s); if (u.user + u.system >= 300000) break; }';
    const child = execFile(process.execPath, ['-e', script]);
    nameProcess(child.pid!, 'burner');
    try {
      await once(child, 'exit');
      const used = window.stop();
      // Its 300 ms of work, plus its start; what it used after the last reading comes from this process's cutime.
      expect(used.ms.burner).toBeGreaterThanOrEqual(300 - 2 * tick);
      expect(used.ms[GROUPS.bench] ?? 0).toBeLessThan(used.ms.burner!);
    } finally {
      forgetProcess(child.pid!);
    }
  });
});

describe('CPU per request', () => {
  const run = (requests: number, ms: Record<string, number>, machineMs: number) => ({
    name: 'r',
    requests,
    rps: requests / 5,
    p50: 1,
    p95: 2,
    p99: 3,
    failures: 0,
    cpu: { ms, machineMs, wallMs: 5000 },
  });

  it('sums the rounds, divides by their requests, and leaves other work out of this run', () => {
    const figures = cpuPerRequest([
      run(100, { [GROUPS.bench]: 100, gateway: 300, [GROUPS.other]: 50, [GROUPS.pgOthers]: 10 }, 460),
      run(300, { [GROUPS.bench]: 300, gateway: 500, [GROUPS.other]: 150, [GROUPS.pgExited]: 20 }, 970),
    ])!;
    expect(figures.groups[GROUPS.bench]).toBeCloseTo(1);
    expect(figures.groups.gateway).toBeCloseTo(2);
    expect(figures.thisRun).toBeCloseTo(3);
    expect(figures.machine).toBeCloseTo(1430 / 400);
    expect(figures.requests).toBe(400);
    expect(figures.rounds).toBe(2);
    expect(cpuPerRequest([{ ...run(10, {}, 0), cpu: undefined }])).toBeNull();
  });

  it('tables each group by target, with the ceiling and the bound CPU sets on the ratio', () => {
    const table = cpuTable(
      {
        title: 't',
        note: '',
        results: [
          { label: 'target', runs: [run(100, { [GROUPS.bench]: 100, gateway: 300, [GROUPS.other]: 40 }, 440)] },
          { label: 'baseline', runs: [run(400, { [GROUPS.bench]: 400, [GROUPS.other]: 40 }, 440)] },
        ],
      },
      0.01,
      2,
    )!;
    const rows = table.split('\n');
    expect(rows[0]).toBe('| CPU ms per request | target | baseline |');
    expect(rows).toContain(`| ${GROUPS.bench} | 1.00 | 1.00 |`);
    expect(rows).toContain('| gateway | 3.00 |  |');
    expect(rows).toContain("| **this run's CPU per request** | **4.00** | **1.00** |");
    expect(rows).toContain("| of which the processes at rest (their rate without load × the rounds' time) | 0.500 | 0.125 |");
    expect(rows).toContain("| ceiling on 2 CPUs from this run's CPU, req/s | 500 | 2000 |");
    expect(table).toContain("target: 4.00 ms against 1.00 ms, so with CPU the only limit at most 0.25× the baseline's rate (measured 0.25×)");
  });
});
