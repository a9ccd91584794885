// Helpers for the report and portal specs: dates as a time zone reads them, a click through an
// offerwall (so a conversion carries s1), and reading a CSV the page downloaded.
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import fs from 'node:fs/promises';
import { adminApi } from './support';

/** Today's date (`YYYY-MM-DD`) in an IANA time zone. */
export function todayIn(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** An offer and an offerwall for `publisherId`; returns the wall's share URL and the offer's name. */
export async function wallWithOffer(request: APIRequestContext, publisherId: string, networkId: string, name: string): Promise<{ id: string; shareUrl: string; embedCode: string; offer: string }> {
  const offer = `${name} offer`;
  await adminApi(request, 'POST', '/api/admin/offers', {
    name: offer,
    payout_cents: 300,
    network_id: networkId,
    url_template: 'https://advertiser.example/landing?c={click_id}',
  });
  const wall = await adminApi(request, 'POST', '/api/admin/offerwalls', { publisher_id: publisherId, name: `${name} wall`, currency_name: 'Gems', exchange_rate: '1000' });
  return { id: wall.id, shareUrl: wall.share_url, embedCode: wall.embed_code, offer };
}

/** Opens the wall with `s1` as an end user would and follows the offer's link; returns the click id. */
export async function clickThrough(request: APIRequestContext, shareUrl: string, offer: string, s1: string): Promise<string> {
  const path = new URL(shareUrl).pathname;
  const html = await (await request.get(`${path}?s1=${encodeURIComponent(s1)}&q=${encodeURIComponent(offer)}`)).text();
  const at = html.indexOf(`<h2>${offer}</h2>`);
  expect(at, 'the offer is on the wall').toBeGreaterThan(-1);
  const link = /href="(\/c\/[^"]+)"/.exec(html.slice(at));
  expect(link, 'the card links to /c/').not.toBeNull();
  const click = await request.get(link![1], { maxRedirects: 0 });
  expect(click.status()).toBe(302);
  const clickId = new URL(click.headers()['location']).searchParams.get('c');
  expect(clickId).toMatch(/^clk_/);
  return clickId!;
}

/** Clicks an export button, waits for the file the page saves, and returns its CSV lines and name. */
export async function exportCsv(page: Page, testId: string): Promise<{ lines: string[]; name: string }> {
  const download = page.waitForEvent('download');
  await page.getByTestId(testId).click();
  const file = await download;
  const text = await fs.readFile((await file.path())!, 'utf8');
  return { lines: text.split('\n').filter((line) => line.length > 0), name: file.suggestedFilename() };
}
