import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, BrowserContextOptions, chromium } from 'playwright-core';

/** Where the browser tests find Chromium: Debian's `chromium` package unless `CHROMIUM_PATH` says otherwise. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Flags for a machine whose connections to Google's services are refused: no sandbox (tests run as root), no GPU, no
 * QUIC, and none of the first-run, component-update, sync or background requests Chromium makes on its own.
 */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function assertChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}: the browser tests need Debian's \`chromium\` package (apt-get install -y chromium; .ci/run installs it), or CHROMIUM_PATH set to a Chromium binary`,
    );
  }
}

export interface RunningChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Headless Chromium, installed by the system (playwright-core drives it and downloads nothing), on a new empty
 * profile that `close()` removes. Fails, never skips, when Chromium is missing: the browser check is part of
 * `npm test`.
 */
export async function launchChromium(): Promise<RunningChromium> {
  assertChromium();
  const profile = mkdtempSync(join(tmpdir(), 'kz-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: FLAGS, locale: 'zh-CN' });
    return {
      context,
      async close() {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

export interface RunningBrowser {
  browser: Browser;
  /** A context of its own (cookies, storage): one person at one device. zh-CN unless the options say otherwise. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Headless Chromium as `launchChromium` starts it, for tests where several people act at once: each gets a browser
 * context of its own, so nothing they store is shared.
 */
export async function launchBrowser(): Promise<RunningBrowser> {
  assertChromium();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS });
  return {
    browser,
    newContext: (options = {}) => browser.newContext({ locale: 'zh-CN', ...options }),
    close: () => browser.close(),
  };
}
