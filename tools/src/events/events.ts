import { QueryFailedError } from 'typeorm';
import { Config, variables } from '@kz/config';
import { EventStream, openAnalyticsDatabase, subscriptionProblems, SubscriptionSpec, SubscriptionState, typeMatches } from '@kz/analytics-worker';
import { assertPostgresReachable } from '@kz/db';
import { catalog } from '@kz/events';
import { parseArgs, UsageError } from '../shared/args';

export const EVENTS_USAGE = [
  "usage: npm run events -- subscribe --name NAME --types 'order.*,points.*' [--max-entries N] [--max-age-days D]",
  '       npm run events -- unsubscribe --name NAME',
  '       npm run events -- list',
].join('\n');
export const REPLAY_USAGE = 'usage: npm run events:replay -- --subscription NAME --since ISO [--until ISO (default: now)] [--types a.*,b]';

const DAY = 24 * 3600;
const EVENT_TYPES = Object.keys(catalog);

/** The retention a new subscription gets when none is given: the defaults of an entry of EVENT_SUBSCRIPTIONS. */
const DEFAULT_RETENTION = (() => {
  const [entry] = variables.EVENT_SUBSCRIPTIONS.schema.parse(JSON.stringify([{ name: 'defaults', types: ['*'] }]));
  return { maxEntries: entry!.maxEntries, maxAgeSeconds: entry!.maxAgeSeconds };
})();

export type EventsRequest =
  | { command: 'subscribe'; name: string; types: string[]; maxEntries?: number; maxAgeSeconds?: number }
  | { command: 'unsubscribe'; name: string }
  | { command: 'list' };

export interface ReplayRequest {
  subscription: string;
  since: Date;
  until: Date;
  types?: string[];
}

/** `parseArgs`, with its refusals as usage errors (exit 2) that show the usage too. */
function options(argv: string[], known: string[], usage: string): Record<string, string> {
  try {
    return parseArgs(argv, known);
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
}

function required(args: Record<string, string>, name: string, usage: string): string {
  const value = args[name];
  if (value === undefined || value === 'true') throw new UsageError(`--${name} is required\n${usage}`);
  return value;
}

/** A comma-separated list of type patterns, each of which must match an event type of the catalogue. */
function patterns(value: string, option: string): string[] {
  const list = value
    .split(',')
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern !== '');
  if (list.length === 0) throw new UsageError(`${option}: at least one pattern such as order.* or points.credited`);
  const unmatched = list.filter((pattern) => !EVENT_TYPES.some((type) => typeMatches(type, [pattern])));
  if (unmatched.length > 0) {
    throw new UsageError(`${option}: ${unmatched.map((p) => `"${p}"`).join(', ')} matches no event type of the catalogue (docs/events.md lists them)`);
  }
  return list;
}

function wholeNumber(value: string, option: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${option}: a whole number of at least 1 (got "${value}")`);
  return Number(value);
}

function days(value: string, option: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Math.round(Number(value) * DAY) : 0;
  if (seconds < 1) throw new UsageError(`${option}: a number of days above 0, such as 7 or 0.5 (got "${value}")`);
  return seconds;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/**
 * An ISO-8601 date (midnight UTC) or date-time with its zone (`Z` or `+08:00`): a time without a zone would depend on
 * the machine the command runs on, and `Date` would quietly roll 2025-02-30 over to March.
 */
export function parseInstant(value: string, option: string): Date {
  const match = ISO.exec(value);
  if (!match) {
    const hint = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value) ? ' with its zone' : '';
    throw new UsageError(`${option}: "${value}" is not an ISO-8601 date or date-time${hint} (such as 2026-03-05 or 2026-03-05T09:30:00+08:00)`);
  }
  const [, year, month, day, hour = '00', minute = '00', second = '00'] = match;
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const real =
    calendar.getUTCFullYear() === Number(year) &&
    calendar.getUTCMonth() === Number(month) - 1 &&
    calendar.getUTCDate() === Number(day) &&
    Number(hour) < 24 &&
    Number(minute) < 60 &&
    Number(second) < 60;
  const instant = new Date(match[4] === undefined ? `${value}T00:00:00Z` : value);
  if (!real || Number.isNaN(instant.getTime())) throw new UsageError(`${option}: "${value}" is not a date of the calendar`);
  return instant;
}

/** Reads `subscribe|unsubscribe|list …`; refuses (UsageError) anything it cannot carry out as asked. */
export function parseEventsArgs(argv: string[]): EventsRequest {
  const [command, ...rest] = argv;
  switch (command) {
    case 'subscribe': {
      const args = options(rest, ['name', 'types', 'max-entries', 'max-age-days'], EVENTS_USAGE);
      const name = required(args, 'name', EVENTS_USAGE);
      const types = patterns(required(args, 'types', EVENTS_USAGE), '--types');
      const maxEntries = args['max-entries'] === undefined ? undefined : wholeNumber(args['max-entries'], '--max-entries');
      const maxAgeSeconds = args['max-age-days'] === undefined ? undefined : days(args['max-age-days'], '--max-age-days');
      const problems = subscriptionProblems({ name, types, ...DEFAULT_RETENTION });
      if (problems.length > 0) throw new UsageError(problems.join('; '));
      return { command, name, types, maxEntries, maxAgeSeconds };
    }
    case 'unsubscribe':
      return { command, name: required(options(rest, ['name'], EVENTS_USAGE), 'name', EVENTS_USAGE) };
    case 'list':
      options(rest, [], EVENTS_USAGE);
      return { command };
    default:
      throw new UsageError(command === undefined ? EVENTS_USAGE : `unknown command "${command}"\n${EVENTS_USAGE}`);
  }
}

/** Reads `--subscription NAME --since ISO [--until ISO] [--types …]`; `now` is the default end of the range. */
export function parseReplayArgs(argv: string[], now = new Date()): ReplayRequest {
  const args = options(argv, ['subscription', 'since', 'until', 'types'], REPLAY_USAGE);
  const subscription = required(args, 'subscription', REPLAY_USAGE);
  const since = parseInstant(required(args, 'since', REPLAY_USAGE), '--since');
  const until = args.until === undefined ? now : parseInstant(args.until, '--until');
  if (since.getTime() >= until.getTime()) {
    throw new UsageError(`--since (${since.toISOString()}) must be before --until (${until.toISOString()}${args.until === undefined ? ', now' : ''})`);
  }
  const types = args.types === undefined ? undefined : patterns(args.types, '--types');
  return { subscription, since, until, types };
}

/** `1h 05m`, `3d 4h`: an age to read at a glance. */
export function formatAge(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < DAY) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / DAY)}d ${Math.floor((s % DAY) / 3600)}h`;
}

function formatRetention(spec: { maxEntries: number; maxAgeSeconds: number }): string {
  const age = spec.maxAgeSeconds % DAY === 0 ? `${spec.maxAgeSeconds / DAY}d` : formatAge(spec.maxAgeSeconds);
  return `${spec.maxEntries} entries, ${age}`;
}

/** The subscriptions as a table, one row each (oldest age `-`: nothing waits). */
export function formatSubscriptions(states: SubscriptionState[]): string {
  if (states.length === 0) return "no subscriptions (add one with npm run events -- subscribe, or in EVENT_SUBSCRIPTIONS)";
  const header = ['name', 'types', 'waiting', 'oldest age', 'acked', 'dropped', 'retention'];
  const numeric = [false, false, true, true, true, true, false];
  const rows = states.map((s) => [s.name, s.types.join(','), String(s.waiting), s.waiting === 0 ? '-' : formatAge(s.oldestAgeSeconds), String(s.acked), String(s.dropped), formatRetention(s)]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** A note when the analytics worker will set the subscription back to EVENT_SUBSCRIPTIONS at its next start. */
function configNote(config: Config, name: string, wanted: SubscriptionSpec | null): string {
  const configured = config.EVENT_SUBSCRIPTIONS.find((entry) => entry.name === name);
  if (!configured) return '';
  const same =
    wanted !== null &&
    configured.types.join(',') === wanted.types.join(',') &&
    configured.maxEntries === wanted.maxEntries &&
    configured.maxAgeSeconds === wanted.maxAgeSeconds;
  if (same) return '';
  return `\nnote: EVENT_SUBSCRIPTIONS defines ${name} otherwise; the analytics worker ${wanted === null ? 'creates it again' : 'sets it back'} at its next start`;
}

async function withStream<T>(config: Config, fn: (stream: EventStream) => Promise<T>): Promise<T> {
  await assertPostgresReachable(config);
  const db = await openAnalyticsDatabase(config);
  try {
    return await fn(new EventStream(db));
  } finally {
    await db.destroy();
  }
}

async function find(stream: EventStream, name: string): Promise<SubscriptionState | undefined> {
  return (await stream.subscriptions()).find((s) => s.name === name);
}

function unknownSubscription(name: string, states: SubscriptionState[]): UsageError {
  const known = states.length === 0 ? 'there are none' : `known: ${states.map((s) => s.name).join(', ')}`;
  return new UsageError(`unknown subscription "${name}" (${known}; npm run events -- list)`);
}

/**
 * `npm run events -- subscribe|unsubscribe|list`: manages the subscriptions of the event stream in the analytics
 * database (ANALYTICS_DATABASE, created and migrated if missing). Returns what to print; refuses bad arguments with a
 * UsageError before anything changes.
 */
export async function eventsCommand(argv: string[], config: Config): Promise<string> {
  const request = parseEventsArgs(argv);
  return withStream(config, async (stream) => {
    if (request.command === 'list') return formatSubscriptions(await stream.subscriptions());
    const before = await find(stream, request.name);
    if (request.command === 'unsubscribe') {
      if (!before) throw unknownSubscription(request.name, await stream.subscriptions());
      await stream.unsubscribe(request.name);
      return `removed subscription ${request.name} and its ${before.waiting} waiting entries${configNote(config, request.name, null)}`;
    }
    const spec: SubscriptionSpec = {
      name: request.name,
      types: request.types,
      maxEntries: request.maxEntries ?? before?.maxEntries ?? DEFAULT_RETENTION.maxEntries,
      maxAgeSeconds: request.maxAgeSeconds ?? before?.maxAgeSeconds ?? DEFAULT_RETENTION.maxAgeSeconds,
    };
    await stream.subscribe(spec);
    const what = `${spec.types.join(', ')}; keeps at most ${formatRetention(spec)}`;
    const note = configNote(config, spec.name, spec);
    if (!before) {
      return (
        `subscribed ${spec.name} to ${what}. It receives the events archived from now on; ` +
        `npm run events:replay -- --subscription ${spec.name} --since ISO copies earlier ones${note}`
      );
    }
    return `updated ${spec.name}: ${what} (was ${before.types.join(', ')}; ${formatRetention(before)}); its ${before.waiting} waiting entries stay${note}`;
  });
}

/** Whether the SQL functions refused an unknown subscription (`no_data_found`: it was removed meanwhile). */
function isUnknownSubscription(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string }).code === 'P0002';
}

/**
 * `npm run events:replay -- --subscription NAME --since ISO [--until ISO] [--types …]`: copies the archived events
 * that occurred in [since, until) and that the subscription wants (narrowed by `--types`) into that subscription
 * only, under their own ids; an event still waiting there is not copied twice. Returns what to print.
 */
export async function replayCommand(argv: string[], config: Config, now = new Date()): Promise<string> {
  const request = parseReplayArgs(argv, now);
  return withStream(config, async (stream) => {
    const states = await stream.subscriptions();
    const target = states.find((s) => s.name === request.subscription);
    if (!target) throw unknownSubscription(request.subscription, states);
    const outside = (request.types ?? []).filter((pattern) => !EVENT_TYPES.some((type) => typeMatches(type, [pattern]) && typeMatches(type, target.types)));
    if (outside.length > 0) {
      throw new UsageError(
        `--types: ${outside.map((p) => `"${p}"`).join(', ')} matches none of the event types ${target.name} wants (${target.types.join(', ')}); nothing to replay`,
      );
    }
    let count: number;
    try {
      count = await stream.replay(target.name, request.since, request.until, request.types);
    } catch (error) {
      if (isUnknownSubscription(error)) throw unknownSubscription(target.name, await stream.subscriptions());
      throw error;
    }
    const filter = request.types ? `, types ${request.types.join(', ')}` : '';
    return (
      `re-delivered ${count} events into ${target.name} (occurred from ${request.since.toISOString()} until ${request.until.toISOString()}${filter}), ` +
      'under their own ids; events of the range still waiting there were not copied twice, and no other subscription was touched'
    );
  });
}
