import { join } from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * graphql-codegen's client preset over the API schema and the operations this package ships: typed documents
 * (`src/generated/graphql.ts`) and the persisted-documents manifest (`src/generated/persisted-documents.json`).
 * `npm run codegen` writes them; `src/generated.spec.ts` fails when they are stale.
 */
const WORKSPACE = join(__dirname, '..', '..');

export const SCHEMA_FILE = join(WORKSPACE, 'apps', 'gateway', 'schema.graphql');
export const OPERATIONS = join(__dirname, 'src', 'operations', '*.graphql');
/** Where the output goes: `src/generated`, or the directory in `CODEGEN_OUT` (the staleness test writes to a temp dir). */
export const GENERATED_DIR = process.env.CODEGEN_OUT || join(__dirname, 'src', 'generated');

const config: CodegenConfig = {
  schema: SCHEMA_FILE,
  documents: OPERATIONS,
  ignoreNoDocuments: false,
  generates: {
    [`${GENERATED_DIR}/`]: {
      preset: 'client',
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: { hashAlgorithm: 'sha256' },
      },
      config: {
        // Documents are their text (a `String` carrying types and the persisted hash): no GraphQL parser at run time.
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        // Both travel as ISO strings: `DateTime` an instant, `Date` a Beijing day (`YYYY-MM-DD`).
        scalars: { DateTime: 'string', Date: 'string' },
      },
    },
  },
};

export default config;
