import { Counter, Gauge, Registry } from 'prom-client';
import type { Config } from '@kz/config';
import { BadUserInput, DomainError, PersistedDocumentNotFound, PersistedDocumentRequired } from '@kz/errors';
import type { ParsedRequest } from '@kz/http';
import type { Logger } from '@kz/telemetry';
import { BoundedLabel, ClientIdentity, clientFromHeaders, KnownClients, LABEL, sanitizeLabel } from '../client-identity';
import { documentHash } from './manifest';
import { openDocumentsDatabase } from './registry';
import { DocumentStore, RegisteredDocument } from './store';
import { documentAsk, withText } from './request';

export { documentHash, parseManifest, ManifestError } from './manifest';
export type { Manifest } from './manifest';
export { openDocumentsDatabase, publishManifest, retireVersion, inUseManifests, documentsMigrations, REGISTRY_CHANNEL } from './registry';
export type { PublishResult } from './registry';
export type { RegisteredDocument } from './store';

export type TrustedDocumentsMode = 'off' | 'log' | 'enforce';

/** `TRUSTED_DOCUMENTS`, or its default: `enforce` in production (only the apps' registered operations), else `off`. */
export function trustedDocumentsMode(config: Pick<Config, 'TRUSTED_DOCUMENTS' | 'NODE_ENV'>): TrustedDocumentsMode {
  return config.TRUSTED_DOCUMENTS ?? (config.NODE_ENV === 'production' ? 'enforce' : 'off');
}

/** What to run, or why not. */
export type DocumentDecision =
  | { ok: true; request: ParsedRequest; client: ClientIdentity; document: RegisteredDocument | null }
  | { ok: false; status: 400; error: DomainError; client: ClientIdentity };

export interface TrustedDocuments extends KnownClients {
  mode: TrustedDocumentsMode;
  /**
   * Resolves a document id to its registered text and applies the mode, before Apollo Server parses anything: a
   * refusal costs one hash and one map lookup, and no subgraph is called.
   */
  decide(request: ParsedRequest): DocumentDecision;
  /** `ok`, or how long the registry has not been confirmed current (the gateway goes on with what it holds). */
  health(): string;
  stop(): Promise<void>;
}

export interface TrustedDocumentsOptions {
  log: Logger;
  registry: Registry;
  /** How often the registry's revision is checked besides the notifications (default 30 s). */
  refreshMs?: number;
}

/** The app and version of a request: its headers, or else the one app version whose manifest holds its document. */
function clientOf(request: ParsedRequest, document: RegisteredDocument | null): ClientIdentity {
  const fromHeaders = clientFromHeaders(request.req.headers);
  if (!document || document.clients.length === 0) return fromHeaders;
  const apps = [...new Set(document.clients.map((client) => client.app))];
  const name = fromHeaders.name ?? (apps.length === 1 ? apps[0]! : null);
  if (fromHeaders.version || !name) return { name, version: fromHeaders.version };
  const versions = document.clients.filter((client) => client.app === name);
  // A document several releases share does not say which one sent it: the header does.
  return { name, version: versions.length === 1 ? versions[0]!.version : null };
}

/**
 * Trusted documents at the gateway: the registry of the apps' published manifests, held in memory, and the rule of
 * `TRUSTED_DOCUMENTS` for what runs.
 */
export async function startTrustedDocuments(config: Config, options: TrustedDocumentsOptions): Promise<TrustedDocuments> {
  const mode = trustedDocumentsMode(config);
  const { log } = options;
  const db = await openDocumentsDatabase(config);
  let store: DocumentStore;
  try {
    store = await DocumentStore.start({ config, db, log, refreshMs: options.refreshMs ?? 30_000 });
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const registers = [options.registry];
  const unregistered = new Counter({
    name: 'gateway_unregistered_documents_total',
    help: 'operations that are not registered documents, by client: run (TRUSTED_DOCUMENTS=log) or refused (enforce, or an unknown id)',
    labelNames: ['client_name', 'outcome'] as const,
    registers,
  });
  new Gauge({
    name: 'gateway_trusted_documents',
    help: 'registered documents this gateway process accepts (of app versions not retired)',
    registers,
    collect() {
      this.set(store.size);
    },
  });
  new Gauge({
    name: 'gateway_trusted_documents_age_seconds',
    help: 'seconds since this gateway process last read the registry or confirmed it current (alert when it grows past a few minutes)',
    registers,
    collect() {
      this.set(store.ageSeconds());
    },
  });
  const clientNames = new BoundedLabel(50);
  const knowsApp = (app: string) => store.hasApp(app);
  const count = (client: ClientIdentity, outcome: 'ran' | 'refused') =>
    unregistered.inc({ client_name: client.name ? clientNames.label(sanitizeLabel(client.name), knowsApp(client.name)) : LABEL.unknown, outcome });
  log.info({ mode, documents: store.size }, 'trusted documents ready');
  if (mode === 'enforce' && store.size === 0) log.warn('TRUSTED_DOCUMENTS=enforce and no document is registered: every operation will be refused until a manifest is published');

  function refuse(error: DomainError, client: ClientIdentity): DocumentDecision {
    count(client, 'refused');
    return { ok: false, status: 400, error, client };
  }

  return {
    mode,
    knowsApp,
    knowsVersion: (app, version) => store.hasVersion(app, version),
    decide(request) {
      const ask = documentAsk(request);
      if (ask.kind === 'none') return { ok: true, request, client: clientFromHeaders(request.req.headers), document: null };
      if (ask.kind === 'text') {
        if (mode === 'off') return { ok: true, request, client: clientFromHeaders(request.req.headers), document: null };
        // The exact text of a registered document is that document (Apollo's safelisting accepts it too).
        const document = store.get(documentHash(ask.text)) ?? null;
        const client = clientOf(request, document);
        if (document) return { ok: true, request, client, document };
        if (mode === 'enforce') return refuse(new PersistedDocumentRequired(), client);
        count(client, 'ran');
        return { ok: true, request, client, document: null };
      }
      if (ask.form === 'documentId' && ask.text !== null) {
        return { ok: false, status: 400, error: new BadUserInput('documentId', { key: 'input.invalid', detail: 'send either documentId or query, not both' }), client: clientFromHeaders(request.req.headers) };
      }
      const document = ask.hash ? (store.get(ask.hash) ?? null) : null;
      const client = clientOf(request, document);
      if (document) return { ok: true, request: withText(request, document.body), client, document };
      if (mode !== 'enforce' && ask.form === 'persistedQuery') {
        // An automatic persisted query Apollo Client registers: with its text it runs as text; without it Apollo
        // Server answers PERSISTED_QUERY_NOT_SUPPORTED (APQ is off), and Apollo's link then sends the text.
        if (ask.text === null) return { ok: true, request, client, document: null };
        if (mode === 'log') count(client, 'ran');
        return { ok: true, request: withText(request, ask.text), client, document: null };
      }
      return refuse(new PersistedDocumentNotFound(ask.id.slice(0, 100)), client);
    },
    health() {
      const age = store.ageSeconds();
      return age < 300 ? 'ok' : `registry not confirmed for ${Math.round(age)} s (serving the ${store.size} documents held)`;
    },
    async stop() {
      await store.stop();
      await db.destroy();
    },
  };
}
