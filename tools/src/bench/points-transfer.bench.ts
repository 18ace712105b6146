import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { signClaims } from '@kz/auth';
import type { Config } from '@kz/config';
import { dropDatabase, ensureDatabase } from '@kz/db';
import { ensurePersonAccount, postTransaction, systemAccountId } from '@kz/points-subgraph';
import { verifyLedgerDatabase } from '../ledger-verify/verify';
import { openPointsDatabase } from '../shared/databases';
import { withCpu } from './cpu';
import { Comparison, graphqlCheck, load, LoadResult } from './load';
import { BenchOptions, statementsOfCall } from './unit-tree.bench';

export interface PointsBenchTarget {
  config: Config;
  /** Base URL of the points subgraph (no `/graphql`). */
  points: string;
}

/** People who pass points to each other during the run; enough that no one nears the daily limit of 500. */
const PEOPLE = 2000;
const FUNDS = 1000;
/** Person ids of the bench, far from any seeded person. */
const FIRST_PERSON = 910_000_000;

const TRANSFER = `mutation($input: TransferPointsInput!) { transferPoints(input: $input) { id amount } }`;

/**
 * Opens the bench's accounts as on first need and funds them in one adjustment from the ADJUSTMENT account,
 * through the ledger core, as the center would with `adjustPoints`.
 */
async function fundAccounts(config: Config): Promise<string[]> {
  const db = await openPointsDatabase(config);
  try {
    return await db.transaction(async (m) => {
      const ids: string[] = [];
      for (let i = 0; i < PEOPLE; i += 1) ids.push((await ensurePersonAccount(m, String(FIRST_PERSON + i))).id);
      const adjustment = await systemAccountId(m, 'ADJUSTMENT');
      await postTransaction(m, {
        kind: 'ADJUSTMENT',
        description: 'bench funding',
        createdBy: 'bench',
        postings: [{ accountId: adjustment, amount: -FUNDS * PEOPLE }, ...ids.map((accountId) => ({ accountId, amount: FUNDS }))],
      });
      return ids;
    });
  } finally {
    await db.destroy();
  }
}

/** Whether `pgbench` can be run here. */
export function pgbenchAvailable(): boolean {
  return !spawnSync('pgbench', ['--version']).error;
}

/** pgbench's built-in TPC-B-like script on a scratch database of the same server, with its per-transaction log. */
async function pgbench(config: Config, database: string, options: BenchOptions): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'kz-pgbench-'));
  try {
    const { stdout } = await promisify(execFile)(
      'pgbench',
      ['-h', config.PGHOST, '-p', String(config.PGPORT), '-U', config.PGUSER, '-c', String(options.connections), '-T', String(options.seconds),
        '-b', 'tpcb-like', '-l', `--log-prefix=${join(dir, 'tx')}`, database],
      { env: { ...process.env, PGPASSWORD: config.PGPASSWORD }, maxBuffer: 16 * 1024 * 1024 },
    );
    const tps = /tps = ([\d.]+)/.exec(stdout);
    if (!tps) throw new Error(`pgbench printed no tps:\n${stdout}`);
    // Log lines: client, transaction number, latency in µs, script, epoch s, µs.
    const latencies = readdirSync(dir)
      .flatMap((file) => readFileSync(join(dir, file), 'utf8').split('\n'))
      .filter(Boolean)
      .map((line) => Number(line.split(' ')[2]) / 1000)
      .sort((a, b) => a - b);
    const at = (p: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? NaN) * 100) / 100;
    const failed = /number of failed transactions: (\d+)/.exec(stdout);
    return { name: 'pgbench', requests: latencies.length, rps: Math.round(Number(tps[1])), p50: at(50), p95: at(95), p99: at(99), failures: Number(failed?.[1] ?? 0) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Points transfers per second through the points subgraph (signed as the gateway signs), each from one of 2,000
 * funded people to another chosen at random, against pgbench's TPC-B-like script (5 statements per transaction:
 * 3 updates, a select, an insert) on the same Postgres, in alternating rounds of the same run.
 */
export async function pointsTransferBenchmark(target: PointsBenchTarget, options: BenchOptions): Promise<Comparison> {
  const { config } = target;
  const accounts = await fundAccounts(config);
  let serial = 0;
  const transfer = graphqlCheck(() => {
    const from = Math.floor(Math.random() * accounts.length);
    const to = (from + 1 + Math.floor(Math.random() * (accounts.length - 1))) % accounts.length;
    serial += 1;
    const body = { query: TRANSFER, variables: { input: { toAccountId: accounts[to], amount: 1, idempotencyKey: `bench-${process.pid}-${serial}` } } };
    const claims = { sub: String(FIRST_PERSON + from), roles: ['RESIDENT' as const] };
    return fetch(`${target.points}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signClaims(config.CLAIMS_SIGNING_SECRET, claims, body) },
      body: JSON.stringify(body),
    });
  });
  const [statements] = await statementsOfCall([target.points], transfer);
  const withPgbench = pgbenchAvailable();
  const scratch = `bench_pgbench_${process.pid}`;
  const runs: Record<'transfers' | 'pgbench', LoadResult[]> = { transfers: [], pgbench: [] };
  try {
    if (withPgbench) {
      await ensureDatabase(config, scratch);
      await promisify(execFile)('pgbench', ['-i', '-s', '1', '-q', '-h', config.PGHOST, '-p', String(config.PGPORT), '-U', config.PGUSER, scratch], {
        env: { ...process.env, PGPASSWORD: config.PGPASSWORD },
      });
    }
    for (let round = 0; round < options.rounds; round += 1) {
      runs.transfers.push(await load('transfers', transfer, { connections: options.connections, seconds: options.seconds, warmup: 20 }));
      if (withPgbench) runs.pgbench.push(await withCpu(() => pgbench(config, scratch, options)));
    }
  } finally {
    if (withPgbench) await dropDatabase(config, scratch);
  }
  const ledger = await verifyLedgerDatabase(config, config.POINTS_DATABASE);
  if (ledger.violations.length > 0) throw new Error(`points transfer bench: ledger:verify found ${ledger.violations.length} violation(s)`);
  const results = [{ label: 'transferPoints (points subgraph)', runs: runs.transfers }];
  if (withPgbench) results.push({ label: 'pgbench tpcb-like', runs: runs.pgbench });
  return {
    title: 'points transfers against pgbench tpcb-like',
    note:
      `Transfers of 1 point between ${PEOPLE} funded people chosen at random, straight to the points subgraph (signed as the gateway signs): ` +
      'each one idempotency claim, row locks, the daily-limit sum, a double-entry transaction with two balance updates and an outbox event, ' +
      `in one autocommitted statement (points_transfer), then its statement line. Against pgbench's built-in TPC-B-like script (-c ${options.connections}) on the same Postgres. ` +
      (withPgbench ? 'pgbench latencies are from its per-transaction log.' : '**pgbench is not installed here: its run and the ratio are skipped.**') +
      ` ${statements} SQL statements per transfer; ledger:verify clean afterwards.`,
    statements,
    results,
    goal: 0.5, // issue 13 (and ≤ 6 statements)
  };
}
