import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { API_SCHEMA_FILE, compose, SUPERGRAPH_FILE, WORKSPACE } from './compose';

try {
  const { supergraph, apiSchema } = compose();
  writeFileSync(SUPERGRAPH_FILE, supergraph);
  writeFileSync(API_SCHEMA_FILE, apiSchema);
  process.stdout.write(`wrote ${relative(WORKSPACE, SUPERGRAPH_FILE)} and ${relative(WORKSPACE, API_SCHEMA_FILE)}\n`);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
