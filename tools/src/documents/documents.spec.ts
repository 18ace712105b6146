import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropDatabase } from '@kz/db';
import { documentHash } from '@kz/gateway';
import { testConfig, uniqueName } from '@kz/testing';
import { documentsCommand, PUBLISH_USAGE } from './documents';

const config = testConfig({ GATEWAY_DATABASE: uniqueName('gateway') });
const dir = mkdtempSync(join(tmpdir(), 'kz-documents-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropDatabase(config, config.GATEWAY_DATABASE);
});

describe('npm run documents:publish / documents:retire', () => {
  const text = 'query Units { units { totalCount } }';
  const manifest = () => file('persisted-documents.json', JSON.stringify({ [documentHash(text)]: text }));

  it('publishes a manifest once, says so when it is published again, and retires the version', async () => {
    const path = manifest();
    expect(await documentsCommand('publish', [path, '--app', 'kz-console', '--version', '1.0.0'], config)).toMatch(
      /^published kz-console 1\.0\.0: 1 documents \(1 new to the registry\), registry revision 1$/,
    );
    expect(await documentsCommand('publish', [path, '--app', 'kz-console', '--version', '1.0.0'], config)).toMatch(/already published with these 1 documents: nothing changed/);
    expect(await documentsCommand('retire', ['--app', 'kz-console', '--version', '1.0.0'], config)).toMatch(/^retired kz-console 1\.0\.0/);
    expect(await documentsCommand('retire', ['--app', 'kz-console', '--version', '1.0.0'], config)).toMatch(/already retired/);
  });

  it('names what is wrong: usage, file, JSON, an entry, an app name', async () => {
    await expect(documentsCommand('publish', ['--app', 'kz-console', '--version', '1'], config)).rejects.toThrow(PUBLISH_USAGE);
    await expect(documentsCommand('publish', [join(dir, 'missing.json'), '--app', 'a', '--version', '1'], config)).rejects.toThrow(/cannot read .*missing\.json/);
    await expect(documentsCommand('publish', [file('bad.json', '{'), '--app', 'a', '--version', '1'], config)).rejects.toThrow(/bad\.json is not JSON/);
    await expect(documentsCommand('publish', [file('sha1.json', JSON.stringify({ abc: text })), '--app', 'a', '--version', '1'], config)).rejects.toThrow(
      /"abc" is not a sha256 hex hash/,
    );
    await expect(documentsCommand('publish', [manifest(), '--app', 'my app', '--version', '1'], config)).rejects.toThrow(/app "my app"/);
    await expect(documentsCommand('retire', ['--app', 'never', '--version', '1'], config)).rejects.toThrow(/never 1 was never published/);
  });
});
