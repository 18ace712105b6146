import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { buildApp, listApps, selectApps, undeclaredPackages } from './build';

describe('the app builder', () => {
  it('finds every app with src/main.ts, never e2e', () => {
    const apps = listApps();
    expect(apps).toEqual(expect.arrayContaining(['gateway', 'org-subgraph', 'ops-dashboard']));
    expect(apps).not.toContain('e2e');
  });

  it('builds every app when none is named and refuses unknown names', () => {
    expect(selectApps([], ['gateway', 'org-subgraph'])).toEqual(['gateway', 'org-subgraph']);
    expect(selectApps(['gateway', 'gateway'], ['gateway', 'org-subgraph'])).toEqual(['gateway']);
    expect(() => selectApps(['gateway', 'nope'], ['gateway'])).toThrow('unknown app: nope');
  });

  it('bundles the libs, keeps node_modules external and ships the schema file beside main.js', async () => {
    const outRoot = mkdtempSync(join(tmpdir(), 'kz-build-'));
    try {
      const built = await buildApp('org-subgraph', outRoot);
      expect(built.files).toEqual(['main.js', 'main.js.map', 'schema.graphql']);
      const bundle = readFileSync(join(outRoot, 'org-subgraph', 'main.js'), 'utf8');
      expect(bundle).not.toMatch(/require\("@kz\//);
      expect(bundle).toMatch(/require\("typeorm"\)/);
      expect(existsSync(join(outRoot, 'org-subgraph', 'schema.graphql'))).toBe(true);
    } finally {
      rmSync(outRoot, { recursive: true, force: true });
    }
  });

  it('flags packages the bundle needs that production installs would not have', () => {
    const imports = ['node:fs', 'path', 'typeorm', '@apollo/server/plugin/disabled', 'jest', '@nx/js/src/x', './local'];
    const metafile = {
      inputs: {},
      outputs: {
        'main.js': {
          bytes: 0,
          inputs: {},
          exports: [],
          imports: imports.map((path) => ({ path, kind: 'require-call' as const, external: !path.startsWith('.') })),
        },
      },
    } as Metafile;
    expect(undeclaredPackages(metafile, ['typeorm', '@apollo/server'])).toEqual(['@nx/js', 'jest']);
  });
});
