import { Kind, parse } from 'graphql';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { Config } from '@kz/config';
import { pgClientConfig } from '@kz/db';
import type { Logger } from '@kz/telemetry';
import { DocumentClient, loadDocuments, REGISTRY_CHANNEL, registryRevision, StoredDocument } from './registry';

/** A registered document as the gateway holds it in memory. */
export interface RegisteredDocument {
  hash: string;
  body: string;
  /** The names of the operations it defines (metric labels for requests that run it). */
  operations: ReadonlySet<string>;
  /** The app versions (not retired) whose manifests hold it, oldest first. */
  clients: readonly DocumentClient[];
}

export interface DocumentStoreOptions {
  config: Config;
  db: DataSource;
  log: Logger;
  /** How often the registry's revision is checked in case a notification was missed (a reconnect, a failover). */
  refreshMs: number;
}

function operationNames(body: string): Set<string> {
  try {
    const names = new Set<string>();
    for (const definition of parse(body).definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) names.add(definition.name.value);
    }
    return names;
  } catch {
    return new Set(); // Apollo answers the parse error when it is called
  }
}

function toRegistered(document: StoredDocument): RegisteredDocument {
  return { hash: document.hash, body: document.body, operations: operationNames(document.body), clients: document.clients };
}

/**
 * The registry in this process's memory, so a lookup costs no round trip. It is loaded at start and reloaded when a
 * publish or retirement notifies (LISTEN on a connection of its own, reconnected with backoff), and the revision is
 * checked every `refreshMs` as well, so a missed notification delays a new document by one period at most. While
 * Postgres is away the gateway keeps serving the documents it holds.
 */
export class DocumentStore {
  private documents = new Map<string, RegisteredDocument>();
  private apps = new Set<string>();
  private versions = new Set<string>();
  private revision = -1;
  private confirmedAt = 0;
  private reloading: Promise<void> | null = null;
  private reloadAgain = false;
  private listener: Client | null = null;
  private reconnectDelayMs = 500;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  private constructor(private readonly options: DocumentStoreOptions) {}

  /** Loads the registry (failing if it cannot: a gateway that enforces must not start empty), then keeps it current. */
  static async start(options: DocumentStoreOptions): Promise<DocumentStore> {
    const store = new DocumentStore(options);
    await store.reload();
    await store.listen().catch((error: Error) => store.listenFailed(error));
    store.refreshTimer = setInterval(() => void store.check(), options.refreshMs);
    store.refreshTimer.unref();
    return store;
  }

  get(hash: string): RegisteredDocument | undefined {
    return this.documents.get(hash);
  }

  /** Whether an app has published a version still in use (its name is then a known metric label). */
  hasApp(app: string): boolean {
    return this.apps.has(app);
  }

  hasVersion(app: string, version: string): boolean {
    return this.versions.has(`${app}@${version}`);
  }

  get size(): number {
    return this.documents.size;
  }

  get currentRevision(): number {
    return this.revision;
  }

  /** Seconds since the registry was last read or confirmed current. */
  ageSeconds(): number {
    return (Date.now() - this.confirmedAt) / 1000;
  }

  /** Reloads when the revision moved; any failure is logged and left to the next period. */
  async check(): Promise<void> {
    try {
      const revision = await registryRevision(this.options.db);
      if (revision !== this.revision) await this.reload();
      else this.confirmedAt = Date.now();
    } catch (error) {
      this.options.log.warn({ err: error }, 'trusted documents: could not check the registry; serving the documents held');
    }
  }

  /** One reload at a time; a request for another while one runs makes it run once more after. */
  async reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.reloadAgain = false;
          const { revision, documents } = await loadDocuments(this.options.db);
          this.documents = new Map(documents.map((document) => [document.hash, toRegistered(document)]));
          const clients = documents.flatMap((document) => document.clients);
          this.apps = new Set(clients.map((client) => client.app));
          this.versions = new Set(clients.map((client) => `${client.app}@${client.version}`));
          this.revision = revision;
          this.confirmedAt = Date.now();
          this.options.log.info({ revision, documents: documents.length }, 'trusted documents loaded');
        } while (this.reloadAgain && !this.stopped);
      } finally {
        this.reloading = null;
      }
    })();
    return this.reloading;
  }

  private async listen(): Promise<void> {
    const { config } = this.options;
    const client = new Client({ ...pgClientConfig(config, config.GATEWAY_DATABASE), application_name: 'kz-gateway-documents', connectionTimeoutMillis: 5000 });
    this.listener = client;
    client.on('error', (error) => this.listenFailed(error));
    client.on('end', () => this.listenFailed(new Error('connection ended')));
    client.on('notification', (message) => {
      if (Number(message.payload) !== this.revision) {
        this.reload().catch((error: Error) => this.options.log.warn({ err: error }, 'trusted documents: reload failed; the next check retries'));
      }
    });
    await client.connect();
    await client.query(`LISTEN ${REGISTRY_CHANNEL}`);
    this.reconnectDelayMs = 500;
    // Anything published while this connection was away.
    await this.check();
  }

  private listenFailed(error: Error): void {
    const client = this.listener;
    if (!client || this.stopped) return;
    this.listener = null;
    client.removeAllListeners();
    client.on('error', () => undefined); // late errors of the dead connection
    void client.end().catch(() => undefined);
    this.options.log.warn({ err: error, retryInMs: this.reconnectDelayMs }, 'trusted documents: lost the registry notifications; reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.stopped) void this.listen().catch((next: Error) => this.listenFailed(next));
    }, this.reconnectDelayMs);
    this.reconnectTimer.unref();
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, 10_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.listener;
    this.listener = null;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
    await this.reloading?.catch(() => undefined);
  }
}
