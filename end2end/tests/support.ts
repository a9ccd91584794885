// Shared by the dashboard specs: environment from run.sh, sign-in, screenshots, the admin API,
// sending CPA postbacks, and a tiny postback receiver on 127.0.0.1.
import { expect, test as base, type APIRequestContext, type Page } from '@playwright/test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/**
 * Playwright's `test`, failing any test whose page threw or logged a hydration mismatch or a
 * panic: a page that stops hydrating halfway still renders, so only its console tells.
 */
export const test = base.extend<{ pageErrors: void }>({
  pageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error' && /hydrat|panicked/i.test(message.text())) errors.push(message.text().slice(0, 400));
      });
      await use();
      expect(errors, 'errors in the page (a hydration mismatch or a panic)').toEqual([]);
    },
    { auto: true },
  ],
});

export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set (end2end/run.sh sets it)`);
  return value;
}

export const admin = { email: env('E2E_ADMIN_EMAIL'), password: env('E2E_ADMIN_PASSWORD') };
export const publisher = { email: env('E2E_PUBLISHER_EMAIL'), password: env('E2E_PUBLISHER_PASSWORD'), id: env('E2E_PUBLISHER_ID') };
const token = env('E2E_ADMIN_TOKEN');

const SCREENSHOTS = path.join(__dirname, '..', '..', 'docs', 'screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 812 };

/** The page is hydrated once the live badge, which only an Effect can set, reads "Live". */
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.getByTestId('live-status')).toHaveText('Live');
}

export async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.goto('/login');
  await waitForHydration(page);
  await page.locator('#email').fill(who.email);
  await page.locator('#password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/login$/);
}

/** Full-page screenshots of the current page at desktop and phone size, for docs/screenshots. */
export async function screenshots(page: Page, name: string): Promise<void> {
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    await page.setViewportSize(viewport);
    // From the top, so the sticky bars sit where they belong in a full-page capture.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${size}.png`), fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
}

/** A call to the admin API with the run's admin token; fails the test unless it succeeds. */
export async function adminApi(request: APIRequestContext, method: 'POST' | 'PUT' | 'PATCH', url: string, data: unknown): Promise<any> {
  const response = await request.fetch(url, { method, data, headers: { Authorization: `Bearer ${token}` } });
  expect(response.ok(), `${method} ${url}: ${response.status()} ${await response.text()}`).toBeTruthy();
  return response.json();
}

/** A network whose key may post from 127.0.0.1 (where the tests run). */
export async function createNetwork(request: APIRequestContext, name: string): Promise<{ id: string; key: string }> {
  const network = await adminApi(request, 'POST', '/api/admin/networks', { name });
  await adminApi(request, 'POST', `/api/admin/networks/${network.id}/ips`, { ip: '127.0.0.1' });
  return { id: network.id, key: network.key };
}

let ipCounter = 10;

/** Sends a CPA postback (seed 000) as a network would; each gets its own end-user IP so none
 * trips the repeated-IP check unless the test wants it to. */
export async function sendCpa(request: APIRequestContext, key: string, params: Record<string, string | number>): Promise<void> {
  const query = new URLSearchParams({ key, status: '1', ip: `203.0.113.${ipCounter++}` });
  for (const [name, value] of Object.entries(params)) query.set(name, String(value));
  const response = await request.get(`/api/postback/cpa?${query}`);
  expect(response.status(), await response.text()).toBe(200);
}

export function uniq(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

/** A postback receiver on 127.0.0.1 that answers `body` with `status` and records each request's URL. */
export async function receiver(status: number, body: string): Promise<{ url: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(status, { 'Content-Type': 'text/plain' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
