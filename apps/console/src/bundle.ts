import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const WEB = join(__dirname, 'web');
const WORKSPACE = join(__dirname, '..', '..', '..');

/** The most the console's script may weigh, minified (a test holds it): phones on a slow network load it first. */
export const BUNDLE_BUDGET_BYTES = 80 * 1024;

export interface ConsoleAssets {
  /** index.html with `%GATEWAY_URL%` still in it. */
  html: string;
  js: string;
  css: string;
}

/** The console's page: `web/main.ts` and what it imports (`@kz/client` from the workspace), minified into one file. */
export async function buildConsoleAssets(): Promise<ConsoleAssets> {
  const result = await build({
    entryPoints: [join(WEB, 'main.ts')],
    absWorkingDir: WORKSPACE,
    tsconfig: join(WEB, 'tsconfig.json'),
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  return {
    html: readFileSync(join(WEB, 'index.html'), 'utf8'),
    js: result.outputFiles[0]!.text,
    css: readFileSync(join(WEB, 'styles.css'), 'utf8'),
  };
}
