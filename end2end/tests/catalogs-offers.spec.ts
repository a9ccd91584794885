// The offers and offerwalls catalogs as an admin uses them: create an offer (a wrong payout is
// named at its field), edit it, deactivate and reactivate it; create an offerwall for the E2E
// publisher, get its share URL and embed code from the generator, see the offer in the preview
// and at the share URL itself.
import { expect, type Page } from '@playwright/test';
import { admin, publisher, screenshots, signIn, uniq, waitForHydration, test } from './support';

test.describe.configure({ mode: 'serial' });

const offerName = uniq('Dragon Quest');
const renamed = `${offerName} II`;

function offerRow(page: Page, name: string) {
  return page.locator(`[data-testid="offer-row"][data-name="${name}"]`);
}

test('offers: create (a wrong payout is named at its field), edit, deactivate and reactivate', async ({ page }) => {
  await signIn(page, admin);
  await page.goto('/admin/offers');
  await waitForHydration(page);

  await page.getByTestId('new-offer').click();
  const editor = page.getByTestId('offer-editor');
  await expect(editor).toBeVisible();
  await page.getByTestId('offer-name').fill(offerName);
  await page.getByTestId('offer-payout').fill('1.255');
  // The URL's macros are checked as they are typed.
  await page.getByTestId('offer-url').fill('https://advertiser.example/go?c={sub9}');
  await expect(page.getByTestId('error-url_template')).toContainText('{sub9}');
  await page.getByTestId('offer-url').fill('https://advertiser.example/go?c={click_id}&s1={s1}');
  await expect(page.getByTestId('error-url_template')).toBeEmpty();
  await page.getByTestId('offer-countries').fill('us, de');
  await page.getByTestId('save-offer').click();
  await expect(page.getByTestId('error-payout')).toContainText('two decimals');
  await expect(page.getByTestId('offer-payout')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('error-name')).toBeEmpty();

  await page.getByTestId('offer-payout').fill('2.50');
  await page.getByTestId('save-offer').click();
  await expect(page.getByTestId('notice')).toContainText(`Saved ${offerName}`);
  await expect(editor).toHaveCount(0);
  await expect(offerRow(page, offerName)).toContainText('$2.50');
  await expect(offerRow(page, offerName)).toContainText('DE, US');

  // Edit: the form comes back filled in, payout in dollars.
  await offerRow(page, offerName).getByTestId('edit').click();
  await expect(page.getByTestId('offer-name')).toBeFocused();
  await expect(page.getByTestId('offer-payout')).toHaveValue('2.50');
  await page.getByTestId('offer-name').fill(renamed);
  await page.getByTestId('offer-payout').fill('3.75');
  await page.getByTestId('offer-countries').fill('');
  await page.getByTestId('save-offer').click();
  await expect(page.getByTestId('notice')).toContainText(`Saved ${renamed}`);
  await expect(offerRow(page, renamed)).toContainText('$3.75');
  await expect(offerRow(page, renamed)).toContainText('All');

  // Search narrows the list.
  await page.getByTestId('search').fill(renamed.toUpperCase());
  await expect(page.locator('[data-testid="offer-row"]')).toHaveCount(1);
  await page.getByTestId('search').fill('no offer is called this');
  await expect(page.getByTestId('list-empty')).toContainText('Nothing matches');
  await page.getByTestId('search').fill('');

  // Deactivate asks first; Cancel does nothing.
  const row = offerRow(page, renamed);
  await row.getByTestId('deactivate').click();
  await row.getByTestId('confirm-cancel').click();
  await expect(row.locator('[data-status]')).toHaveText('active');
  await row.getByTestId('deactivate').click();
  await row.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('notice')).toContainText('deactivated');
  await expect(row.locator('[data-status]')).toHaveText('inactive');
  await page.getByTestId('filter-active').selectOption('active');
  await expect(offerRow(page, renamed)).toHaveCount(0);
  await page.getByTestId('filter-active').selectOption('inactive');
  await expect(offerRow(page, renamed)).toBeVisible();
  await offerRow(page, renamed).getByTestId('activate').click();
  await expect(page.getByTestId('notice')).toContainText('active again');
  await page.getByTestId('filter-active').selectOption('');
  await expect(offerRow(page, renamed).locator('[data-status]')).toHaveText('active');

  await page.getByTestId('new-offer').click();
  await screenshots(page, 'admin-offers');
});

test('offerwalls: create one for the E2E publisher, generate its share URL and embed code, open it', async ({ page }) => {
  await signIn(page, admin);
  await page.goto('/admin/offerwalls');
  await waitForHydration(page);
  const wallName = uniq('E2E Gems Wall');

  await page.getByTestId('new-offerwall').click();
  await page.getByTestId('wall-name').fill(wallName);
  await page.getByTestId('wall-currency').fill('Gems');
  await page.getByTestId('wall-rate').fill('ten');
  await page.getByTestId('save-offerwall').click();
  await expect(page.getByTestId('error-publisher_id')).toContainText('Choose the publisher');
  await page.getByTestId('wall-publisher').selectOption(publisher.id);
  await page.getByTestId('save-offerwall').click();
  await expect(page.getByTestId('error-exchange_rate')).toContainText('decimal');
  await page.getByTestId('wall-rate').fill('1000');
  await page.getByTestId('save-offerwall').click();

  // Straight to the wall's generator.
  await expect(page).toHaveURL(/\/admin\/offerwalls\/ofw_/);
  await waitForHydration(page);
  await expect(page.getByTestId('wall-title')).toHaveText(wallName);
  const wallId = page.url().split('/').pop()!;
  const shareUrl = page.getByTestId('share-url');
  await expect(shareUrl).toHaveText(new RegExp(`/o/${wallId}$`));

  await page.getByTestId('gen-uid').fill('{user_id}');
  await page.getByTestId('gen-s1').fill('site a');
  await page.getByTestId('gen-country').fill('x1');
  await expect(page.getByTestId('error-country')).toContainText('two-letter');
  await page.getByTestId('gen-country').fill('us');
  await expect(page.getByTestId('error-country')).toBeEmpty();
  await page.getByTestId('gen-width').fill('400');
  await expect(shareUrl).toHaveText(new RegExp(`/o/${wallId}\\?s1=site\\+a&uid=\\{user_id\\}&country=US$`));
  const embed = page.getByTestId('embed-code');
  await expect(embed).toContainText(`/o/${wallId}?s1=site+a&amp;uid={user_id}&amp;country=US"`);
  await expect(embed).toContainText('width="400"');
  await expect(embed).toContainText('height="600"');
  await page.getByTestId('gen-height').fill('0');
  await expect(page.getByTestId('error-height')).toContainText('Pixels');
  await page.getByTestId('gen-height').fill('700');
  await expect(embed).toContainText('height="700"');
  await page.getByTestId('copy-share-url').click();
  await expect(page.getByTestId('copy-share-url')).toHaveText('Copied');

  // The preview frames the wall itself, with the options.
  const preview = page.frameLocator('[data-testid="wall-preview"]');
  await expect(preview.getByRole('heading', { name: renamed })).toBeVisible();
  await expect(preview.getByText('3,750 Gems').first()).toBeVisible();
  await screenshots(page, 'admin-offerwall-generator');

  // The share URL as a visitor opens it.
  const url = (await shareUrl.textContent())!;
  await page.goto(url.replace('{user_id}', 'player-7'));
  await expect(page.getByRole('heading', { name: renamed })).toBeVisible();

  await page.goto('/admin/offerwalls');
  await waitForHydration(page);
  await expect(page.locator(`[data-testid="offerwall-row"][data-name="${wallName}"]`)).toContainText('1000 Gems per $1');
  await screenshots(page, 'admin-offerwalls');
});
