import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { CpuWindow, GROUPS, NOT_THIS_RUN, RoundCpu } from './cpu';

export interface LoadResult {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  failures: number;
  /** CPU time used during the round, per process group (see cpu.ts); absent where the round was not measured so. */
  cpu?: RoundCpu;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
  /** Requests sent and discarded first, so connection setup and JIT warm-up do not count. */
  warmup: number;
}

/** The `p`th percentile of ascending `sorted` values (nearest rank); NaN when there are none. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * A closed-loop load: `connections` clients each send the next request as soon as the previous one answered, for a
 * fixed time. Every latency is kept, so percentiles are exact. `check` sends one request and says whether it
 * succeeded; a failure is counted, not hidden.
 */
export async function load(name: string, check: () => Promise<boolean>, options: LoadOptions): Promise<LoadResult> {
  for (let i = 0; i < options.warmup; i += 1) {
    if (!(await check())) throw new Error(`${name}: the request fails; fix it before measuring`);
  }
  const latencies: number[] = [];
  let failures = 0;
  const cpu = new CpuWindow();
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const ok = await check().catch(() => false);
        latencies.push(performance.now() - t0);
        if (!ok) failures += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const used = cpu.stop();
  latencies.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    name,
    requests: latencies.length,
    rps: Math.round(latencies.length / elapsed),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    failures,
    cpu: used,
  };
}

/** Sends a GraphQL request and succeeds on a 200 without errors. */
export function graphqlCheck(send: () => Promise<Response>): () => Promise<boolean> {
  return async () => {
    const response = await send();
    const body = (await response.json()) as { errors?: unknown[] };
    return response.ok && !body.errors;
  };
}

/** One target of a comparison: what `load` runs, under the label the tables show. */
export interface Target {
  label: string;
  check: () => Promise<boolean>;
}

/**
 * The rounds of a comparison, alternating so that drift on a shared machine falls on every target alike: in each
 * round the baseline (the last target) first, then the others in order. Returns each target's runs, in order.
 */
export async function alternate(
  targets: Target[],
  options: { rounds: number; connections: number; seconds: number },
): Promise<{ label: string; runs: LoadResult[] }[]> {
  const results = targets.map(({ label }) => ({ label, runs: [] as LoadResult[] }));
  const baseline = targets.length - 1;
  const order = [baseline, ...Array.from({ length: baseline }, (_, i) => i)];
  for (let round = 0; round < options.rounds; round += 1) {
    for (const i of order) {
      results[i]!.runs.push(await load(targets[i]!.label, targets[i]!.check, { connections: options.connections, seconds: options.seconds, warmup: 20 }));
    }
  }
  return results;
}

export function median(results: LoadResult[]): LoadResult {
  return [...results].sort((a, b) => a.rps - b.rps)[Math.floor(results.length / 2)]!;
}

export interface Comparison {
  title: string;
  note: string;
  /** SQL statements one request of the first target makes (summed over the subgraphs it reaches), when measured. */
  statements?: number;
  /**
   * False when the targets' latencies measure different things (e.g. event → message received against a no-op job's
   * own run time): the p95 ratio is then left out rather than shown as a meaningless factor.
   */
  latenciesComparable?: boolean;
  /** The least req/s ratio to the baseline the first target must reach, where the issue sets one (shown as the goal column). */
  goal?: number;
  /** The targets were fed at a fixed rate, so their req/s is that pace, not what they can do (the CPU tables say so). */
  paced?: boolean;
  results: { label: string; runs: LoadResult[] }[];
}

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

/** Markdown table of a comparison: the median round of each target, each against the last (the baseline). */
export function comparisonTable(comparison: Comparison): string {
  const rows = comparison.results.map(({ label, runs }) => ({ label, ...median(runs) }));
  const last = rows[rows.length - 1]!;
  return [
    `| target | req/s | p50 ms | p95 ms | p99 ms | failures |`,
    `| --- | ---: | ---: | ---: | ---: | ---: |`,
    ...rows.map((r) => `| ${r.label} | ${r.rps} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.failures} |`),
    // A comparison whose baseline could not run (a tool missing) has nothing to divide by.
    ...rows
      .slice(0, -1)
      .map((r) => `| ${r.label} / ${last.label} | ${ratio(r.rps, last.rps)}× | | ${comparison.latenciesComparable === false ? '' : `${ratio(r.p95, last.p95)}×`} | | |`),
  ].join('\n');
}

export interface SummaryRow {
  benchmark: string;
  target: string;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  failures: number;
  /** req/s of this target over the baseline's (the comparison's last target); null for the baseline itself. */
  rpsRatio: number | null;
  p95Ratio: number | null;
  baseline: string | null;
  statements: number | null;
  /** The goal of the row's req/s ratio and whether it was met (`≥ 0.6×: met`), for rows with one. */
  goal: string | null;
  /** This run's CPU ms per request over all its processes (see `cpuPerRequest`), where measured. */
  cpuMsPerRequest: number | null;
}

/** Every target of every comparison as one row (median round), with its ratio to the comparison's baseline. */
export function summaryRows(comparisons: Comparison[]): SummaryRow[] {
  return comparisons.flatMap((comparison) => {
    const rows = comparison.results.map(({ label, runs }) => ({ label, ...median(runs), cpuPerRequest: cpuPerRequest(runs) }));
    const last = rows[rows.length - 1]!;
    return rows.map((row, index) => {
      const isBaseline = rows.length === 1 || index === rows.length - 1;
      return {
        benchmark: comparison.title.split(':')[0]!,
        target: row.label,
        rps: row.rps,
        p50: row.p50,
        p95: row.p95,
        p99: row.p99,
        failures: row.failures,
        rpsRatio: isBaseline ? null : ratio(row.rps, last.rps),
        p95Ratio: isBaseline || comparison.latenciesComparable === false ? null : ratio(row.p95, last.p95),
        baseline: isBaseline ? null : last.label,
        statements: index === 0 ? (comparison.statements ?? null) : null,
        goal:
          isBaseline || comparison.goal === undefined
            ? null
            : `≥ ${comparison.goal}×: ${ratio(row.rps, last.rps) >= comparison.goal ? 'met' : 'not met'}`,
        cpuMsPerRequest: row.cpuPerRequest ? Number(cpuMs(row.cpuPerRequest.thisRun)) : null,
      };
    });
  });
}

/** The one table of the whole run. */
export function summaryTable(rows: SummaryRow[]): string {
  const cell = (value: number | null, suffix = '') => (value === null ? '' : `${value}${suffix}`);
  return [
    '| benchmark | target | req/s | p50 ms | p95 ms | p99 ms | failures | req/s vs baseline | p95 vs baseline | SQL stmts/req | goal | CPU ms/req (all) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.benchmark} | ${r.target} | ${r.rps} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.failures} | ${cell(r.rpsRatio, '×')} | ${cell(r.p95Ratio, '×')} | ${cell(r.statements)} | ${r.goal ?? ''} | ${cell(r.cpuMsPerRequest)} |`,
    ),
  ].join('\n');
}

/** CPU ms per request of one target over all its measured rounds (the sums of the rounds: ticks are 10 ms coarse). */
export interface CpuPerRequest {
  /** CPU ms per request, per group. */
  groups: Record<string, number>;
  /** Every group but those of other work (other databases' backends, other processes): what this run's requests cost. */
  thisRun: number;
  /** The machine's busy CPU per request, all of it. */
  machine: number;
  /** Requests the figures divide by, and the rounds they come from. */
  requests: number;
  rounds: number;
  /** Wall-clock ms of the rounds per request (to weigh what the processes use at rest). */
  wallMs: number;
}

export function cpuPerRequest(runs: LoadResult[]): CpuPerRequest | null {
  const measured = runs.filter((run): run is LoadResult & { cpu: RoundCpu } => run.cpu !== undefined && run.requests > 0);
  if (measured.length === 0) return null;
  const requests = measured.reduce((sum, run) => sum + run.requests, 0);
  const groups: Record<string, number> = {};
  for (const run of measured) for (const [group, ms] of Object.entries(run.cpu.ms)) groups[group] = (groups[group] ?? 0) + ms / requests;
  const thisRun = thisRunOf(groups);
  const machine = measured.reduce((sum, run) => sum + run.cpu.machineMs, 0) / requests;
  const wallMs = measured.reduce((sum, run) => sum + run.cpu.wallMs, 0) / requests;
  return { groups, thisRun, machine, requests, rounds: measured.length, wallMs };
}

/** The sum of CPU figures by group, but those of other work (`NOT_THIS_RUN`): what this run's processes used. */
function thisRunOf(groups: Record<string, number>): number {
  return Object.entries(groups).reduce((sum, [group, ms]) => (NOT_THIS_RUN.includes(group) ? sum : sum + ms), 0);
}

/** A CPU figure in ms, with about 2 significant digits below 10. */
export function cpuMs(ms: number): string {
  const abs = Math.abs(ms);
  return abs >= 100 ? ms.toFixed(0) : abs >= 10 ? ms.toFixed(1) : abs >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

/** The order groups are listed in: the bench, the processes it started, Postgres, Redis; then other work. */
function groupRank(group: string): number {
  const fixed: string[] = [GROUPS.bench, '', GROUPS.pgOurs, GROUPS.pgServer, GROUPS.redis, GROUPS.pgOthers, GROUPS.pgExited, GROUPS.other];
  const at = fixed.indexOf(group);
  return at === -1 ? 1 : at;
}

/** This run's CPU ms per second of wall clock in a window: what its processes use at rest, from `atRest`. */
export function restRate(rest: RoundCpu): number {
  return thisRunOf(rest.ms) / rest.wallMs;
}

/**
 * Markdown table of where the CPU went per request, target by target (the baseline last): one line per process
 * group, this run's total (and, given what the processes use at rest, `restRate`, how much of it that is), the other
 * work seen on the machine, the machine's total, and the ceiling this run's CPU per request sets on `cpus` CPUs. Null
 * when no round was measured.
 */
export function cpuTable(comparison: Comparison, rest: number | null = null, cpus = availableParallelism()): string | null {
  const columns = comparison.results.map(({ label, runs }) => ({ label, cpu: cpuPerRequest(runs), rps: median(runs).rps }));
  if (columns.every((column) => column.cpu === null)) return null;
  const groups = [...new Set(columns.flatMap((column) => Object.keys(column.cpu?.groups ?? {})))]
    .filter((group) => columns.some((column) => Math.abs(column.cpu?.groups[group] ?? 0) >= 0.0005))
    .sort((a, b) => groupRank(a) - groupRank(b) || a.localeCompare(b));
  const mine = groups.filter((group) => !NOT_THIS_RUN.includes(group));
  const others = groups.filter((group) => NOT_THIS_RUN.includes(group));
  const cell = (value: number | undefined) => (value === undefined ? '' : cpuMs(value));
  const line = (name: string, value: (cpu: CpuPerRequest) => string) => `| ${name} | ${columns.map((column) => (column.cpu ? value(column.cpu) : '')).join(' | ')} |`;
  const lines = [
    `| CPU ms per request | ${columns.map((column) => column.label).join(' | ')} |`,
    `| --- | ${columns.map(() => '---:').join(' | ')} |`,
    ...mine.map((group) => `| ${group} | ${columns.map((column) => cell(column.cpu?.groups[group])).join(' | ')} |`),
    line("**this run's CPU per request**", (cpu) => `**${cpuMs(cpu.thisRun)}**`),
    ...(rest === null ? [] : [line("of which the processes at rest (their rate without load × the rounds' time)", (cpu) => cpuMs(rest * cpu.wallMs))]),
    ...others.map((group) => `| ${group} | ${columns.map((column) => cell(column.cpu?.groups[group])).join(' | ')} |`),
    line('machine CPU per request (all busy time)', (cpu) => cpuMs(cpu.machine)),
    line(`ceiling on ${cpus} CPUs from this run's CPU, req/s`, (cpu) => String(Math.round((cpus * 1000) / cpu.thisRun))),
    `| measured req/s (median round) | ${columns.map((column) => column.rps).join(' | ')} |`,
    line('requests measured (rounds)', (cpu) => `${cpu.requests} (${cpu.rounds})`),
  ];
  const baseline = columns[columns.length - 1]!;
  const bounds = columns.slice(0, -1).flatMap((column) =>
    column.cpu && baseline.cpu && columns.length > 1
      ? [
          `${column.label}: ${cpuMs(column.cpu.thisRun)} ms against ${cpuMs(baseline.cpu.thisRun)} ms, so with CPU the only limit at most ` +
            `${ratio(baseline.cpu.thisRun, column.cpu.thisRun)}× the baseline's rate ` +
            (comparison.paced ? '(both were fed at a fixed rate here, so their measured rates are that pace)' : `(measured ${ratio(column.rps, baseline.rps)}×)`),
        ]
      : [],
  );
  return `${lines.join('\n')}${bounds.length > 0 ? `\n\nThis run's CPU per request against the baseline's (${baseline.label}): ${bounds.join('; ')}.` : ''}`;
}
