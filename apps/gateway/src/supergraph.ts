import { createHash } from 'node:crypto';
import { FSWatcher, readFileSync, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SupergraphManager, SupergraphSdlUpdateFunction } from '@apollo/gateway';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Logger } from '@kz/telemetry';

/** A subgraph of the supergraph being served: its name and routing URL (as the supergraph says). */
export interface SupergraphService {
  name: string;
  url: string;
}

/** What a look at the file or the URL came to. */
export type ReloadOutcome = 'applied' | 'unchanged' | 'invalid' | 'unreadable';

export interface SupergraphSourceOptions {
  /** The supergraph file: read at start, watched afterwards. */
  file: string;
  /** Optionally, a URL polled every `pollMs` for the supergraph (e.g. a CI artifact or a config service). */
  pollUrl?: string;
  pollMs: number;
  /** Changes of the file's folder are gathered this long before the file is read (an editor writes in steps). */
  debounceMs?: number;
  log: Logger;
  registry: Registry;
}

export interface SupergraphSource {
  /** Handed to ApolloGateway as `supergraphSdl`: gives the first supergraph, then calls `update` with new ones. */
  manager: SupergraphManager;
  /** The subgraphs of the supergraph being served (what readiness checks). */
  services(): SupergraphService[];
  /** Whether the gateway has taken a supergraph. */
  loaded(): boolean;
  /** Reads the file now and applies it if it changed. */
  checkFile(): Promise<ReloadOutcome>;
  /** Fetches the URL now and applies it if it changed (`unchanged` when no URL is set). */
  checkUrl(): Promise<ReloadOutcome>;
}

const GRAPH = /@join__graph\(\s*name:\s*"([^"]+)"\s*,\s*url:\s*"([^"]*)"\s*\)/g;

/** The subgraphs a supergraph names (its `join__Graph` values). */
export function servicesOf(sdl: string): SupergraphService[] {
  return [...sdl.matchAll(GRAPH)].map((match) => ({ name: match[1]!, url: match[2]! }));
}

const hash = (sdl: string) => createHash('sha256').update(sdl).digest('hex');

/**
 * The gateway's supergraph without restarts: the file is watched (its folder, so an atomic rename or a Kubernetes
 * ConfigMap's symlink swap is seen too) and, when `pollUrl` is set, the URL is polled. A content seen before (by
 * sha256) is skipped; a new one goes to the gateway's `update`, which builds and validates it and swaps it in
 * between requests (a request runs on the schema it started with). One that does not parse or does not validate is
 * refused, logged and counted in `gateway_supergraph_reloads_total{outcome="invalid"}`; the old one keeps serving.
 * Looks are serialized, so two sources never update at once.
 */
export function supergraphSource(options: SupergraphSourceOptions): SupergraphSource {
  const { log } = options;
  const reloads = new Counter({
    name: 'gateway_supergraph_reloads_total',
    help: 'supergraph changes seen after start, by source (file, url) and outcome (applied, invalid, unreadable)',
    labelNames: ['source', 'outcome'],
    registers: [options.registry],
  });
  const loadedAt = new Gauge({
    name: 'gateway_supergraph_loaded_timestamp_seconds',
    help: 'when the supergraph being served was taken (Unix time)',
    registers: [options.registry],
  });
  let update: SupergraphSdlUpdateFunction | undefined;
  let current: { hash: string; services: SupergraphService[] } | undefined;
  /** Contents already looked at (applied or refused), so an unchanged or known-bad one is not tried again. */
  let lastSeen = { file: '', url: '' };
  let queue: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;

  function apply(sdl: string, source: 'file' | 'url'): ReloadOutcome {
    const id = hash(sdl);
    if (id === lastSeen[source] || id === current?.hash) {
      lastSeen[source] = id;
      return 'unchanged';
    }
    lastSeen[source] = id;
    try {
      update!(sdl); // builds and validates the supergraph; throws, keeping the old one, when it is not valid
    } catch (error) {
      reloads.inc({ source, outcome: 'invalid' });
      log.error({ err: error, source, sha256: id }, 'supergraph refused: the gateway keeps serving the one it has');
      return 'invalid';
    }
    current = { hash: id, services: servicesOf(sdl) };
    loadedAt.set(Date.now() / 1000);
    reloads.inc({ source, outcome: 'applied' });
    log.info({ source, sha256: id, subgraphs: current.services.map((service) => service.name) }, 'supergraph reloaded');
    return 'applied';
  }

  /** Runs looks one after another. */
  function serialized(look: () => Promise<ReloadOutcome>): Promise<ReloadOutcome> {
    const next = queue.then(look, look);
    queue = next.catch(() => undefined);
    return next;
  }

  function unreadable(source: 'file' | 'url', error: Error): ReloadOutcome {
    reloads.inc({ source, outcome: 'unreadable' });
    log.warn({ err: error, source }, 'supergraph could not be read: the gateway keeps serving the one it has');
    return 'unreadable';
  }

  const checkFile = () =>
    serialized(async () => {
      if (stopped || !update) return 'unchanged';
      let sdl: string;
      try {
        sdl = await readFile(options.file, 'utf8');
      } catch (error) {
        return unreadable('file', error as Error);
      }
      return apply(sdl, 'file');
    });

  const checkUrl = () =>
    serialized(async () => {
      if (stopped || !update || !options.pollUrl) return 'unchanged';
      let sdl: string;
      try {
        const response = await fetch(options.pollUrl, { signal: AbortSignal.timeout(10_000) });
        if (!response.ok) throw new Error(`${options.pollUrl} answered ${response.status}`);
        sdl = await response.text();
      } catch (error) {
        return unreadable('url', error as Error);
      }
      return apply(sdl, 'url');
    });

  const manager: SupergraphManager = {
    async initialize(hooks) {
      update = hooks.update;
      const sdl = readFileSync(options.file, 'utf8');
      const id = hash(sdl);
      current = { hash: id, services: servicesOf(sdl) };
      lastSeen = { file: id, url: '' };
      loadedAt.set(Date.now() / 1000);
      try {
        watcher = watch(dirname(options.file), { persistent: false }, () => {
          clearTimeout(debounce);
          debounce = setTimeout(() => void checkFile(), options.debounceMs ?? 250);
        });
        watcher.on('error', (error) => log.warn({ err: error }, 'supergraph file watch failed; changes of the file are not seen'));
      } catch (error) {
        // e.g. ENOSPC (out of inotify watches): serve what was read, without reloads, rather than not at all.
        log.warn({ err: error }, 'supergraph file cannot be watched; changes of the file are not seen until a restart');
      }
      if (options.pollUrl) {
        poll = setInterval(() => void checkUrl(), options.pollMs);
        poll.unref();
        void checkUrl();
      }
      log.info({ file: options.file, pollUrl: options.pollUrl, sha256: id }, 'supergraph loaded; watching for changes');
      return {
        supergraphSdl: sdl,
        cleanup: async () => {
          stopped = true;
          clearTimeout(debounce);
          clearInterval(poll);
          watcher?.close();
          await queue;
        },
      };
    },
  };

  return {
    manager,
    services: () => current?.services ?? [],
    loaded: () => current !== undefined,
    checkFile,
    checkUrl,
  };
}
