import { existsSync } from 'node:fs';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium, which .ci/run installs; STRATA_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.STRATA_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Whether the browser tests run: when Chromium is there, or when `STRATA_REQUIRE_BROWSER=1` says they must (CI sets
 * it, so a missing Chromium fails there instead of skipping).
 */
export const BROWSER_TESTS = existsSync(CHROMIUM) || process.env.STRATA_REQUIRE_BROWSER === '1';
if (!BROWSER_TESTS) {
  console.warn(
    `\n*** The browser tests are SKIPPED: no Chromium at ${CHROMIUM}. Install it (apt-get install -y chromium) or set ` +
      'STRATA_CHROMIUM to a Chromium or Chrome binary to run them. ***\n',
  );
}

/**
 * Starts headless Chromium with a profile of its own: one browser context whose pages share IndexedDB and Web Locks,
 * like the tabs of one browser window.
 */
export async function launchChromium(userDataDir: string): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the browser tests need Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set STRATA_CHROMIUM`,
    );
  }
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1200, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}
