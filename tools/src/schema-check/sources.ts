import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildSchema, GraphQLSchema } from 'graphql';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { Config } from '@kz/config';
import { pgClientConfig } from '@kz/db';
import { inUseManifests, parseManifest } from '@kz/gateway';
import { printApiSchema } from '../compose/api-schema';
import { SUPERGRAPH_FILE, WORKSPACE } from '../compose/compose';
import type { InUseManifest } from './schema-check';

/** The client-facing schema `npm run compose` writes beside the supergraph (when it does). */
export const API_SCHEMA_FILE = join(WORKSPACE, 'apps', 'gateway', 'schema.graphql');
/** The API schema of the last release, written by `npm run schema:release`; `schema:check` compares against it. */
export const RELEASED_SCHEMA_FILE = join(WORKSPACE, 'apps', 'gateway', 'schema.released.graphql');
/**
 * Copies of the manifests of app releases in use (`<app>@<version>.json`), committed when a team publishes one, so that
 * a CI job without the registry still checks them. The client's own `libs/client/src/generated/persisted-documents.json`
 * is not among them: it is the next release, written against the current schema (its own test validates it there).
 */
export const RELEASED_MANIFESTS_DIR = join(WORKSPACE, 'apps', 'gateway', 'released-manifests');

/** The manifest files of `RELEASED_MANIFESTS_DIR`, in name order. */
export function releasedManifestFiles(dir = RELEASED_MANIFESTS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(dir, name));
}

const RELEASED_HEADER =
  '# The API schema of the last release (`npm run schema:release`, at each release). `npm run schema:check` compares\n' +
  '# the current API schema with it and fails when a change breaks an operation of an app version still in use.\n\n';

const shown = (file: string) => relative(WORKSPACE, file) || file;

/** The current API schema as text: a given file, else `apps/gateway/schema.graphql`, else derived from the supergraph. */
export function currentApiSchemaText(file?: string): { text: string; source: string } {
  if (file) return { text: readFileSync(file, 'utf8'), source: shown(file) };
  if (existsSync(API_SCHEMA_FILE)) return { text: readFileSync(API_SCHEMA_FILE, 'utf8'), source: shown(API_SCHEMA_FILE) };
  return { text: printApiSchema(readFileSync(SUPERGRAPH_FILE, 'utf8')), source: `the API schema of ${shown(SUPERGRAPH_FILE)}` };
}

export function loadSchema(text: string, source: string): GraphQLSchema {
  try {
    return buildSchema(text);
  } catch (error) {
    throw new Error(`${source}: ${(error as Error).message}`);
  }
}

export function releasedSchemaText(file = RELEASED_SCHEMA_FILE): string {
  if (!existsSync(file)) throw new Error(`no released schema at ${shown(file)}: run \`npm run schema:release\` when you release`);
  return readFileSync(file, 'utf8');
}

/** What `schema:release` writes: the current API schema under a header saying what the file is. */
export function releasedFileText(apiSchema: string): string {
  return `${RELEASED_HEADER}${apiSchema.trimEnd()}\n`;
}

/** Committed manifest files; a default one that does not exist yet is skipped with a note, a named one must exist. */
export function manifestsFromFiles(files: string[], notes: string[], required: boolean): InUseManifest[] {
  const manifests: InUseManifest[] = [];
  for (const file of files) {
    if (!existsSync(file)) {
      if (required) throw new Error(`no manifest at ${shown(file)}`);
      notes.push(`no manifest at ${shown(file)} (yet): skipped`);
      continue;
    }
    try {
      manifests.push({ source: shown(file), documents: parseManifest(JSON.parse(readFileSync(file, 'utf8'))) });
    } catch (error) {
      throw new Error(`${shown(file)}: ${(error as Error).message}`);
    }
  }
  return manifests;
}

/**
 * The app versions in use (not retired) from the trusted-documents registry (`GATEWAY_DATABASE`), read-only. When
 * the registry cannot be reached (no database, no server: a CI job without it) the check goes on with the files
 * and says so.
 */
export async function manifestsFromRegistry(config: Config, notes: string[]): Promise<InUseManifest[]> {
  const client = new Client({ ...pgClientConfig(config, config.GATEWAY_DATABASE), connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    notes.push(`registry ${config.GATEWAY_DATABASE} at ${config.PGHOST}:${config.PGPORT} not reachable (${(error as Error).message}): only manifest files checked`);
    return [];
  }
  try {
    const [table] = (await client.query(`SELECT to_regclass('app_version') AS found`)).rows;
    if (!table?.found) {
      notes.push(`registry ${config.GATEWAY_DATABASE} has no documents tables yet: only manifest files checked`);
      return [];
    }
    const db = { query: async (sql: string) => (await client.query(sql)).rows } as unknown as DataSource;
    const versions = await inUseManifests(db);
    if (versions.length === 0) notes.push(`registry ${config.GATEWAY_DATABASE}: no app version in use`);
    return versions.map((version) => ({ source: `registry: ${version.app} ${version.version}`, documents: version.documents }));
  } finally {
    await client.end().catch(() => undefined);
  }
}
