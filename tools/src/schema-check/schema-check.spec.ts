import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema } from 'graphql';
import type { DataSource } from 'typeorm';
import { dropDatabase } from '@kz/db';
import { documentHash, openDocumentsDatabase, parseManifest, publishManifest, retireVersion } from '@kz/gateway';
import { testConfig, uniqueName } from '@kz/testing';
import { WORKSPACE } from '../compose/compose';
import { checkSchema, formatReport } from './schema-check';
import { currentApiSchemaText, loadSchema, manifestsFromFiles, manifestsFromRegistry, releasedManifestFiles, releasedSchemaText } from './sources';

describe('schema:check on the committed files (what CI runs)', () => {
  it('the current API schema breaks no operation of the committed manifests against the released schema', async () => {
    const notes: string[] = [];
    const current = currentApiSchemaText();
    const report = await checkSchema({
      released: loadSchema(releasedSchemaText(), 'apps/gateway/schema.released.graphql'),
      current: loadSchema(current.text, current.source),
      manifests: manifestsFromFiles(releasedManifestFiles(), notes, true),
      notes,
    });
    if (!report.ok) throw new Error(formatReport(report));
    expect(report.ok).toBe(true);
  });

  it('reads the committed copies of released manifests, in name order, and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'released-manifests-'));
    try {
      expect(releasedManifestFiles(join(dir, 'absent'))).toEqual([]);
      for (const name of ['kz-miniprogram@3.2.0.json', 'kz-console@1.0.0.json', 'README.md']) writeFileSync(join(dir, name), '{}');
      expect(releasedManifestFiles(dir)).toEqual([join(dir, 'kz-console@1.0.0.json'), join(dir, 'kz-miniprogram@3.2.0.json')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const RELEASED = `
  type Query { units(filter: UnitFilter): [Unit!]! legacyBanner: String }
  type Unit { id: ID! name: String! code: String level: Level! }
  input UnitFilter { search: String level: Level }
  enum Level { CENTER STATION }
`;
const UNIT_CODES = 'query UnitCodes { units { id code } }';
const UNIT_NAMES = 'query UnitNames($filter: UnitFilter) { units(filter: $filter) { name } }';
const manifest = (...texts: string[]) => parseManifest(Object.fromEntries(texts.map((text) => [documentHash(text), text])));
const check = (current: string, texts: string[]) =>
  checkSchema({ released: buildSchema(RELEASED), current: buildSchema(current), manifests: [{ source: 'kz-console 1.0.0', documents: manifest(...texts) }] });

describe('schema:check against the operations in use', () => {
  it('fails when a field an operation in use reads is removed, naming the operation and the change', async () => {
    const report = await check(RELEASED.replace('code: String ', ''), [UNIT_CODES, UNIT_NAMES]);
    expect(report.ok).toBe(false);
    expect(report.breaking.map(({ change, usedBy }) => [change.path, usedBy])).toEqual([['Unit.code', ['kz-console 1.0.0: UnitCodes']]]);
    expect(report.broken).toEqual([
      {
        source: 'kz-console 1.0.0',
        hash: documentHash(UNIT_CODES),
        operations: ['UnitCodes'],
        problems: ['Cannot query field "code" on type "Unit".', expect.stringMatching(/^touches a breaking change: Field 'code' .*removed/)],
      },
    ]);
    expect(formatReport(report)).toMatch(/schema:check FAILED/);
  });

  it('passes when the removed field is used by no operation in use, and lists it', async () => {
    const report = await check(RELEASED.replace(' legacyBanner: String', ''), [UNIT_CODES, UNIT_NAMES]);
    expect(report.ok).toBe(true);
    expect(report.breaking.map(({ change, usedBy }) => [change.path, usedBy])).toEqual([['Query.legacyBanner', []]]);
    expect(formatReport(report)).toMatch(/Query\.legacyBanner\) — used by no operation in use[\s\S]*schema:check passed/);
  });

  it('catches what validation alone lets through: a changed field type, an input field the variables may carry', async () => {
    const retyped = await check(RELEASED.replace('name: String!', 'name: Int!'), [UNIT_NAMES]);
    expect(retyped.broken.map((broken) => broken.operations)).toEqual([['UnitNames']]);
    const inputField = await check(RELEASED.replace('search: String ', ''), [UNIT_NAMES, UNIT_CODES]);
    expect(inputField.broken.map((broken) => broken.operations)).toEqual([['UnitNames']]);
    expect(inputField.broken[0]!.problems).toEqual([expect.stringMatching(/^touches a breaking change: Input field 'search' .*removed/)]);
  });
});

describe('schema:check with the registry (npm run schema:check)', () => {
  const config = testConfig({ GATEWAY_DATABASE: uniqueName('gateway') });
  const dir = mkdtempSync(join(tmpdir(), 'kz-schema-check-'));
  let registry: DataSource;

  beforeAll(async () => {
    registry = await openDocumentsDatabase(config);
  });
  afterAll(async () => {
    await registry.destroy();
    await dropDatabase(config, config.GATEWAY_DATABASE);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the app versions in use, not the retired ones', async () => {
    await publishManifest(registry, manifest(UNIT_CODES), 'kz-console', '1.0.0');
    await publishManifest(registry, manifest(UNIT_NAMES), 'kz-console', '0.9.0');
    await retireVersion(registry, 'kz-console', '0.9.0');
    const notes: string[] = [];
    const manifests = await manifestsFromRegistry(config, notes);
    expect(manifests.map((m) => [m.source, [...m.documents.values()]])).toEqual([['registry: kz-console 1.0.0', [UNIT_CODES]]]);
    const unreachable = await manifestsFromRegistry({ ...config, GATEWAY_DATABASE: uniqueName('absent') }, notes);
    expect(unreachable).toEqual([]);
    expect(notes).toEqual([expect.stringMatching(/not reachable .*only manifest files checked/)]);
  });

  it('exits 1 when a change breaks a registered operation, 0 when the removed field is unused', () => {
    const released = join(dir, 'released.graphql');
    writeFileSync(released, RELEASED);
    const run = (current: string) => {
      const schema = join(dir, 'current.graphql');
      writeFileSync(schema, current);
      return spawnSync(process.execPath, ['--import', 'tsx', 'tools/src/schema-check/main.ts', 'check', '--released', released, '--schema', schema, '--manifests', join(dir, 'other-app.json')], {
        cwd: WORKSPACE,
        env: { ...process.env, GATEWAY_DATABASE: config.GATEWAY_DATABASE, LOG_LEVEL: 'silent' },
        encoding: 'utf8',
      });
    };
    // A committed manifest file besides the registry: an app whose operation no change touches.
    writeFileSync(join(dir, 'other-app.json'), JSON.stringify(Object.fromEntries([[documentHash('{ __typename }'), '{ __typename }']])));
    const breaking = run(RELEASED.replace('code: String ', ''));
    expect(breaking.stdout).toMatch(/✗ registry: kz-console 1\.0\.0: UnitCodes/);
    expect(breaking.status).toBe(1);
    const unused = run(RELEASED.replace(' legacyBanner: String', ''));
    expect(unused.stdout).toMatch(/schema:check passed/);
    expect(unused.status).toBe(0);
  });
});
