import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { build, Metafile } from 'esbuild';

export const WORKSPACE = join(__dirname, '..', '..', '..');
export const APPS_DIR = join(WORKSPACE, 'apps');
export const DIST_APPS_DIR = join(WORKSPACE, 'dist', 'apps');

/**
 * Directories under `apps/` that are not deployable apps even if they grow a `src/main.ts`. The reference console
 * builds its page from source when it starts (`npm start`); it has no image or Kubernetes manifest yet.
 */
const NOT_APPS = new Set(['e2e', 'console']);

/** Files that ship next to the bundle; apps find them at run time with `appFile(__dirname, name)`. */
const SHIPPED_FILES = ['schema.graphql', 'supergraph.graphql'];

/** Every deployable app: a directory under `apps/` with `src/main.ts`, `apps/e2e` and `apps/console` aside. Sorted by name. */
export function listApps(appsDir = APPS_DIR): string[] {
  return readdirSync(appsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !NOT_APPS.has(entry.name))
    .filter((entry) => existsSync(join(appsDir, entry.name, 'src', 'main.ts')))
    .map((entry) => entry.name)
    .sort();
}

/** The apps named on the command line (all of them when none is named); throws naming every unknown one. */
export function selectApps(requested: string[], available: string[] = listApps()): string[] {
  if (requested.length === 0) return available;
  const unknown = requested.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown app${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} ` +
        `(apps with src/main.ts: ${available.join(', ') || 'none'})`,
    );
  }
  return [...new Set(requested)];
}

/** The package an import path names: `@scope/name` or `name`. */
function packageName(path: string): string {
  const parts = path.split('/');
  return path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * Packages the bundle requires that are not production `dependencies` of package.json. The runtime image installs
 * only those (`npm ci --omit=dev`), so such an import would work here and fail in the container.
 */
export function undeclaredPackages(metafile: Metafile, dependencies: string[] = productionDependencies()): string[] {
  const externals = Object.values(metafile.outputs)
    .flatMap((output) => output.imports)
    .filter((imported) => imported.external)
    .map((imported) => imported.path)
    .filter((path) => !path.startsWith('node:') && !builtinModules.includes(packageName(path)));
  return [...new Set(externals.map(packageName))].filter((name) => !dependencies.includes(name)).sort();
}

function productionDependencies(): string[] {
  const manifest = JSON.parse(readFileSync(join(WORKSPACE, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  return Object.keys(manifest.dependencies ?? {});
}

export interface BuiltApp {
  app: string;
  outDir: string;
  files: string[];
}

/**
 * Bundles one app into `<outRoot>/<app>/main.js` (CommonJS for Node 20, with a source map) and copies the files it
 * reads at run time beside it. The `@kz/*` libs are bundled in through the tsconfig path aliases; packages from
 * node_modules stay external, so the bundle needs the production `node_modules` (`npm ci --omit=dev`) at run time.
 */
export async function buildApp(app: string, outRoot = DIST_APPS_DIR): Promise<BuiltApp> {
  const appDir = join(APPS_DIR, app);
  const outDir = join(outRoot, app);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const result = await build({
    absWorkingDir: WORKSPACE,
    entryPoints: [join(appDir, 'src', 'main.ts')],
    outfile: join(outDir, 'main.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Bare imports that tsconfig paths do not map (node_modules packages) stay `require()` calls.
    packages: 'external',
    // `@kz/*` aliases, plus `experimentalDecorators` / `useDefineForClassFields` for the TypeORM entities.
    tsconfig: join(WORKSPACE, 'tsconfig.base.json'),
    sourcemap: true,
    // Class names survive bundling (TypeORM and logs use them even where entities and migrations name themselves).
    keepNames: true,
    metafile: true,
    logLevel: 'warning',
  });
  const undeclared = undeclaredPackages(result.metafile);
  if (undeclared.length > 0) {
    throw new Error(
      `${app} imports ${undeclared.join(', ')}, not in the dependencies of package.json ` +
        '(the runtime image installs only those)',
    );
  }

  const files = ['main.js', 'main.js.map'];
  for (const name of SHIPPED_FILES) {
    const source = join(appDir, name);
    if (existsSync(source)) {
      copyFileSync(source, join(outDir, name));
      files.push(name);
    }
  }
  return { app, outDir, files };
}

/** Builds the given apps one after another and reports each to `log`. */
export async function buildApps(apps: string[], log: (line: string) => void = () => undefined): Promise<BuiltApp[]> {
  const built: BuiltApp[] = [];
  for (const app of apps) {
    const started = Date.now();
    const result = await buildApp(app);
    log(`built ${app} → ${relative(WORKSPACE, result.outDir)} (${result.files.join(', ')}) in ${Date.now() - started} ms`);
    built.push(result);
  }
  return built;
}
