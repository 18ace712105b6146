import type { IncomingHttpHeaders } from 'node:http';

/** The app and release a request comes from, as far as the gateway can tell. */
export interface ClientIdentity {
  name: string | null;
  version: string | null;
}

/** The headers Apollo's clients (and `libs/client`) send; `apollographql-client-*` is the convention Apollo tools read. */
export const CLIENT_NAME_HEADER = 'apollographql-client-name';
export const CLIENT_VERSION_HEADER = 'apollographql-client-version';

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  const single = Array.isArray(value) ? value[0] : value;
  return single && single.trim() !== '' ? single.trim() : null;
}

export function clientFromHeaders(headers: IncomingHttpHeaders): ClientIdentity {
  return { name: header(headers, CLIENT_NAME_HEADER), version: header(headers, CLIENT_VERSION_HEADER) };
}

/** Fixed label values; parentheses cannot occur in GraphQL names, app names or versions, so they never collide. */
export const LABEL = {
  unknown: '(unknown)',
  other: '(other)',
  anonymous: '(anonymous)',
  invalid: '(invalid)',
  unregistered: '(unregistered)',
} as const;

/** A header value made safe to show as a label: letters, digits, `.`, `_`, `-`, `+`, at most 64 characters. */
export function sanitizeLabel(value: string): string {
  return value.replace(/[^A-Za-z0-9._+-]/g, '_').slice(0, 64);
}

/**
 * Bounds the values a label takes: the first `cap` distinct values are shown as they are, later ones as `(other)`,
 * so a client sending a new name or operation per request cannot grow `/metrics` without end. Values the registry
 * knows (registered apps, versions and operations) are always shown and do not use up the cap.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly cap: number) {}

  label(value: string, known = false): string {
    if (known || this.seen.has(value)) return value;
    if (this.seen.size >= this.cap) return LABEL.other;
    this.seen.add(value);
    return value;
  }
}

/** Who registered what, for the labels: registered apps, versions and operations are always shown. */
export interface KnownClients {
  knowsApp(app: string): boolean;
  knowsVersion(app: string, version: string): boolean;
}

/** The `client_name` and `client_version` labels of a request, bounded: 50 names, 20 versions per name. */
export class ClientLabels {
  private readonly names = new BoundedLabel(50);
  private readonly versions = new Map<string, BoundedLabel>();

  constructor(private readonly known: KnownClients) {}

  of(client: ClientIdentity): { client_name: string; client_version: string } {
    if (!client.name) return { client_name: LABEL.unknown, client_version: LABEL.unknown };
    const name = this.names.label(sanitizeLabel(client.name), this.known.knowsApp(client.name));
    if (name === LABEL.other || !client.version) return { client_name: name, client_version: LABEL.unknown };
    let versions = this.versions.get(name);
    if (!versions) this.versions.set(name, (versions = new BoundedLabel(20)));
    return { client_name: name, client_version: versions.label(sanitizeLabel(client.version), this.known.knowsVersion(client.name, client.version)) };
  }
}
