import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DocumentNode, parse } from 'graphql';

/**
 * Finds a file that ships beside the app: next to the bundle in a build (`dist/apps/x/schema.graphql`), or at the
 * project root when running from source (`apps/x/schema.graphql`, one level above `src/`).
 */
export function appFile(dirname: string, name: string): string {
  for (const candidate of [join(dirname, name), join(dirname, '..', name)]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} not found next to ${dirname}`);
}

export function loadSchemaFile(path: string): DocumentNode {
  return parse(readFileSync(path, 'utf8'));
}
