import { createHash } from 'node:crypto';

/** A persisted-documents manifest: the sha256 hex of each document (without `sha256:`) → its text. */
export type Manifest = ReadonlyMap<string, string>;

/** Why a manifest (or a publish of it) was refused; the message names the entry. */
export class ManifestError extends Error {
  override name = 'ManifestError';
}

/** A key of a manifest: the hex alone, or the document id `sha256:<hex>` as `@kz/client`'s manifest writes it. */
const HASH = /^(?:sha256:)?([0-9a-f]{64})$/;
/** App names and versions are also metric labels, so they keep to characters Prometheus shows as they are. */
export const APP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const APP_VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

/** The document id the gateway and the manifests use: the SHA-256 of the exact text, in lowercase hex. */
export function documentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Reads a manifest (the parsed JSON of `persisted-documents.json`): an object of `hash: text` entries, each hash the
 * lowercase SHA-256 hex or the document id `sha256:<hex>` (graphql-codegen's client preset writes either, by
 * version and setting; `libs/client/src/generated/persisted-documents.json` has ids). Refuses anything else, naming
 * the entry: a key that is neither, a body that is not a non-empty string, the same hash twice.
 * Whether each hash is the SHA-256 of its body is checked when it is published, against the registry too.
 */
export function parseManifest(json: unknown): Manifest {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ManifestError('a manifest is a JSON object mapping each document\'s sha256 hex hash to its text');
  }
  const entries = Object.entries(json as Record<string, unknown>);
  if (entries.length === 0) throw new ManifestError('the manifest holds no documents');
  const manifest = new Map<string, string>();
  for (const [key, body] of entries) {
    const hash = HASH.exec(key)?.[1];
    if (!hash) throw new ManifestError(`${JSON.stringify(key)} is not a sha256 hex hash (64 lowercase hex digits, or sha256: and them)`);
    if (typeof body !== 'string' || body.trim() === '') throw new ManifestError(`the document of ${key} is not a non-empty string`);
    if (manifest.has(hash)) throw new ManifestError(`${hash} is in the manifest twice (with and without sha256:)`);
    manifest.set(hash, body);
  }
  return manifest;
}

/** Checks an app name and version before they reach the registry (and, later, metric labels). */
export function assertAppVersion(app: string, version: string): void {
  if (!APP_NAME.test(app)) throw new ManifestError(`app ${JSON.stringify(app)}: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  if (!APP_VERSION.test(version)) {
    throw new ManifestError(`version ${JSON.stringify(version)}: use 1 to 64 letters, digits, '.', '_', '+' or '-', starting with a letter or digit`);
  }
}
