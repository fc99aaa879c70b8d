// Test support: Debian's firefox-esr driven headless by puppeteer-core over WebDriver BiDi (Playwright's
// Firefox is a patched build that cannot be downloaded here; the ESR speaks BiDi as shipped). Tests
// that need it skip with a printed reason when /usr/bin/firefox-esr is missing (apt-get install firefox-esr).
// The helpers find things as a user names them: a field through its <label> (label.control, so a field
// found is a labelled field), a link by its text.
import { existsSync, mkdirSync } from 'node:fs';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';
import { SCREENSHOTS } from './browser.js';

export const FIREFOX = '/usr/bin/firefox-esr';
const WAIT_MS = 30_000;

/** The page's DOM as the in-page functions use it (the tests compile without the DOM lib). */
export interface DomElement {
  textContent: string | null;
  outerHTML: string;
  value: string;
  control?: DomElement | null;
  labels?: { length: number } | null;
  closest(selector: string): DomElement | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement>;
}
export type InPage = { document: DomElement & { activeElement: DomElement | null } };

export function firefoxMissing(): string | false {
  return existsSync(FIREFOX) ? false : `${FIREFOX} is missing (apt-get install -y firefox-esr); console Firefox tests skipped`;
}

export async function launchFirefox(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
}

/** The form control a <label> with exactly this text (or starting with it) names (label.control), once it is on the page. */
export async function byLabel(page: Page, label: string, { prefix = false } = {}): Promise<ElementHandle> {
  const handle = await page.waitForFunction(
    (text: string, starts: boolean) =>
      [...(globalThis as unknown as InPage).document.querySelectorAll('label')].find((l) => {
        const t = l.textContent?.trim() ?? '';
        return starts ? t.startsWith(text) : t === text;
      })?.control ?? null,
    { timeout: WAIT_MS },
    label,
    prefix,
  );
  return handle as unknown as ElementHandle;
}

/** The first element matching `selector` (inside `scope`, a CSS selector) whose text contains `text`. */
export async function byText(page: Page, selector: string, text: string, scope = 'body'): Promise<ElementHandle> {
  const handle = await page.waitForFunction(
    (sel: string, t: string, sc: string) =>
      [...((globalThis as unknown as InPage).document.querySelector(sc)?.querySelectorAll(sel) ?? [])].find((e) => e.textContent?.includes(t)) ?? null,
    { timeout: WAIT_MS },
    selector,
    text,
    scope,
  );
  return handle as unknown as ElementHandle;
}

/** Clicks the link whose text is exactly `name` (inside `scope`). */
export async function clickLink(page: Page, name: string, scope = 'body'): Promise<void> {
  const handle = await page.waitForFunction(
    (n: string, sc: string) => [...((globalThis as unknown as InPage).document.querySelector(sc)?.querySelectorAll('a') ?? [])].find((a) => a.textContent?.trim() === n) ?? null,
    { timeout: WAIT_MS },
    name,
    scope,
  );
  await (handle as unknown as ElementHandle).click();
}

/** Waits until the page's <h1> says exactly `text`. */
export async function heading(page: Page, text: string, timeout = WAIT_MS): Promise<void> {
  await page.waitForFunction((t: string) => (globalThis as unknown as InPage).document.querySelector('main h1')?.textContent === t, { timeout }, text);
}

/** Waits until a table labelled `label` has a cell whose text contains `text`. */
export async function inTable(page: Page, label: string, text: string, timeout = WAIT_MS): Promise<void> {
  await page.waitForFunction(
    (l: string, t: string) => [...(globalThis as unknown as InPage).document.querySelectorAll(`table[aria-label="${l}"] td`)].some((td) => td.textContent?.includes(t)),
    { timeout },
    label,
    text,
  );
}

/** Replaces a field's value as a user would: clear it, then type (input events fire per key). */
export async function fill(field: ElementHandle, text: string): Promise<void> {
  await field.evaluate((f) => {
    (f as unknown as DomElement).value = '';
  });
  await field.type(text);
}
