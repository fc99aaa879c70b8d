// Test support: Debian's Chromium driven by playwright-core, headless, loopback only. Tests that need
// it skip with a printed reason when /usr/bin/chromium is missing (apt-get install chromium).
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** Where console tests save their screenshots (a test artifact). */
export const SCREENSHOTS = fileURLToPath(new URL('../../../test-artifacts/console/', import.meta.url));

export function browserMissing(): string | false {
  return existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install -y chromium); console browser tests skipped`;
}

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}
