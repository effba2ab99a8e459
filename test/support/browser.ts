/**
 * Debian's chromium driven by playwright-core (no browser download: it cannot
 * work here). A missing browser fails the test loudly, naming the fix.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.BATON_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no chromium at ${CHROMIUM}: install it (bash scripts/install-chromium.sh, i.e. apt-get install chromium) or set BATON_CHROMIUM`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
}
