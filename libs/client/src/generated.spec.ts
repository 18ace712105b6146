import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildSchema, Kind, OperationDefinitionNode, parse, print, SelectionNode, validate } from 'graphql';
import { documentIdOf, operationNameOf } from './client';
import * as generated from './generated/graphql';
import manifest from './generated/persisted-documents.json';

const LIB = join(__dirname, '..');
const WORKSPACE = join(LIB, '..', '..');
const GENERATED = join(__dirname, 'generated');
const OPERATIONS_DIR = join(__dirname, 'operations');
const schema = buildSchema(readFileSync(join(WORKSPACE, 'apps', 'gateway', 'schema.graphql'), 'utf8'));

const operations: { file: string; node: OperationDefinitionNode }[] = readdirSync(OPERATIONS_DIR)
  .filter((file) => file.endsWith('.graphql'))
  .flatMap((file) =>
    parse(readFileSync(join(OPERATIONS_DIR, file), 'utf8')).definitions.map((node) => {
      if (node.kind !== Kind.OPERATION_DEFINITION) throw new Error(`${file}: only operations belong here, found ${node.kind}`);
      return { file, node };
    }),
  );

describe('the operations the client ships (src/operations/*.graphql)', () => {
  it('are named, each name once', () => {
    expect(operations.filter(({ node }) => !node.name).map(({ file }) => file)).toEqual([]);
    const names = operations.map(({ node }) => node.name!.value);
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
    expect(names.length).toBeGreaterThan(30);
  });

  it('validate against the API schema (apps/gateway/schema.graphql)', () => {
    for (const { file, node } of operations) {
      const errors = validate(schema, { kind: Kind.DOCUMENT, definitions: [node] }).map((error) => error.message);
      expect([file, node.name?.value, errors]).toEqual([file, node.name?.value, []]);
    }
  });
});

describe('the generated documents and manifest (src/generated)', () => {
  it('are what codegen makes of the schema and operations now (run `npm run codegen`)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kz-codegen-'));
    try {
      // The CLI is ESM-only, which Jest cannot load; it runs in its own process, as `npm run codegen` runs it.
      const bin = join(WORKSPACE, 'node_modules', '@graphql-codegen', 'cli', 'esm', 'bin.js');
      await promisify(execFile)(process.execPath, [bin, '--config', join(LIB, 'codegen.ts'), '--silent'], {
        cwd: WORKSPACE,
        env: { ...process.env, CODEGEN_OUT: out },
      });
      const files = readdirSync(out).sort();
      expect(readdirSync(GENERATED).sort()).toEqual(files);
      for (const file of files) {
        expect([file, readFileSync(join(GENERATED, file), 'utf8')]).toEqual([file, readFileSync(join(out, file), 'utf8')]);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);

  it('hold one typed document per operation, whose id is a key of the manifest', () => {
    const documents = Object.entries(generated).filter(([name]) => name.endsWith('Document'));
    expect(documents.map(([name]) => name.replace(/Document$/, '')).sort()).toEqual(operations.map(({ node }) => node.name!.value).sort());
    for (const [name, document] of documents) {
      const id = documentIdOf(document as generated.TypedDocumentString<unknown, unknown>);
      expect([name, id && id in manifest]).toEqual([name, true]);
      expect(operationNameOf(String(document))).toBe(name.replace(/Document$/, ''));
    }
  });

  it('list every operation once in the manifest, keyed `sha256:` + the hex SHA-256 of the text it stores', () => {
    const entries = Object.entries(manifest as Record<string, string>);
    expect(entries).toHaveLength(operations.length);
    for (const [id, text] of entries) {
      expect(id).toBe(`sha256:${createHash('sha256').update(text).digest('hex')}`);
      // The stored text is the operation (normalized: fields in order, one line), valid against the API schema.
      const [definition, ...others] = parse(text).definitions;
      expect(others).toEqual([]);
      expect(validate(schema, parse(text))).toEqual([]);
      const source = operations.find(({ node }) => node.name?.value === (definition as OperationDefinitionNode).name?.value);
      expect(source).toBeDefined();
      expect(shape(definition as OperationDefinitionNode)).toEqual(shape(source!.node));
    }
  });
});

/** An operation as sorted lines (its variables, each field's path and arguments): the same whatever the order. */
function shape(operation: OperationDefinitionNode): string[] {
  const lines = (operation.variableDefinitions ?? []).map((variable) => print(variable));
  const walk = (selections: readonly SelectionNode[], path: string) => {
    for (const selection of selections) {
      if (selection.kind !== Kind.FIELD) throw new Error(`${operation.name?.value}: only plain fields are expected`);
      const at = `${path}.${selection.alias ? `${selection.alias.value}:` : ''}${selection.name.value}`;
      const args = (selection.arguments ?? []).map((arg) => print(arg)).sort();
      lines.push(`${at}(${args.join(', ')})`);
      if (selection.selectionSet) walk(selection.selectionSet.selections, at);
    }
  };
  walk(operation.selectionSet.selections, operation.operation);
  return lines.sort();
}
