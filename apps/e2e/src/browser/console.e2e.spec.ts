import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { CreateRewardDocument, MyAccountDocument, RedeemRewardDocument, ServiceRecordsDocument, VerifyServiceRecordDocument } from '@kz/client';
import { RunningConsole, startConsole } from '@kz/console';
import { upsertUnitRefs, UnitRef } from '@kz/org-replica';
import { DEMO_PASSWORD } from '@kz/seed-data';
import { eventuallyValue } from '@kz/testing';
import { gatewayClient, signIn } from '../client';
import { Platform, startPlatform } from '../stack';
import { launchBrowser, RunningBrowser } from './chromium';

/**
 * The article's case (周先生's rusty fitness equipment) in the reference console, in a real browser, one browser context
 * per person: the resident places the order on a phone-width page with its place and a photo, the center's dispatcher
 * dispatches it to 迎宾社区, the station returns it with a reason and, dispatched again, accepts it, assigns 何毅 from
 * the suggestions, starts and delivers it with his minutes and the funding, and the resident rates it. Each step is
 * done in the page of the role that may do it, and each other page shows it as it happens: live updates (graphql-ws
 * subscriptions at the gateway) refresh the board or the order on screen, with no reload and no refresh button. The
 * gateway enforces trusted documents: the console sends every operation, subscriptions included, by id from the
 * client's manifest, published before the gateway starts.
 */
const SCREENSHOTS = join(__dirname, '..', '..', '..', '..', 'tmp', 'e2e', 'console');
const PHONES = { resident: '13900230008', dispatcher: '13900230002', station: '13900230005', volunteer: '13900230007' };
const PHOTO = 'https://photos.example.org/tenglong/fitness-1.svg';
const TITLE = '腾龙广场小区健身器材锈蚀损坏';

let browser: RunningBrowser;
let platform: Platform;
let console: RunningConsole;
const contexts: BrowserContext[] = [];
/** What the pages logged as errors (a refused request, a script error, a violation of the console's CSP). */
const problems: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser(); // first: without Chromium the test fails here, saying which package to install
  platform = await startPlatform({ seed: 'demo', clientManifest: true, env: { TRUSTED_DOCUMENTS: 'enforce', CORS_ORIGINS: 'http://localhost:*' } });
  console = await startConsole(platform.config, { port: 0, gatewayUrl: platform.gatewayUrl });
  // The points replica of the org tree, as the org events would fill it (rewards belong to a station).
  const units: UnitRef[] = await platform.org.query('SELECT id::text, code, path, level, name FROM practice_unit');
  await upsertUnitRefs(platform.points.manager, units, new Date().toISOString());
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);
afterEach(() => {
  expect(problems.splice(0)).toEqual([]);
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await console?.stop();
  await platform?.stop();
});

/** One person on their own device, signed in through the console's form. */
async function signedIn(phone: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  // The resident's photo lives on an image host the test stands in for.
  await context.route('https://photos.example.org/**', (route) =>
    route.fulfill({
      contentType: 'image/svg+xml',
      body: '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="120"><rect width="160" height="120" fill="#8d6e63"/><text x="12" y="66" fill="#fff" font-size="16">生锈的健身器材</text></svg>',
    }),
  );
  const page = await context.newPage();
  page.on('console', (message) => message.type() === 'error' && problems.push(`${phone}: ${message.text()}`));
  page.on('pageerror', (error) => problems.push(`${phone}: ${error.message}`));
  await page.goto(`${console.url}/`);
  await page.getByLabel('手机号').fill(phone);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('button', { name: '退出' }).waitFor();
  return page;
}

const shoot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** Waits until the page shows `selector` by itself: nothing is clicked and the page is not reloaded (see `unreloaded`). */
async function arrives(page: Page, selector: string): Promise<void> {
  await page.locator(selector).first().waitFor();
}

/** Marks the page's document, so that a reload (which would lose the mark) fails `unreloaded`. */
const mark = (page: Page) => page.evaluate(() => ((globalThis as unknown as { kzSameDocument: boolean }).kzSameDocument = true));
const unreloaded = (page: Page) => page.evaluate(() => (globalThis as unknown as { kzSameDocument?: boolean }).kzSameDocument === true);

const timeline = async (page: Page) => (await page.locator('.timeline li').evaluateAll((items) => items.map((item) => item.getAttribute('data-action'))));

it('takes 周先生’s order from his phone through the center and the station to his rating, each page seeing the others’ moves', async () => {
  const [resident, dispatcher, station] = await Promise.all([
    signedIn(PHONES.resident, { width: 390, height: 844 }),
    signedIn(PHONES.dispatcher),
    signedIn(PHONES.station),
  ]);
  await Promise.all([resident, dispatcher, station].map(mark));
  const [yingbin] = await platform.org.query(`SELECT id::text, name FROM practice_unit WHERE code = 'KZ-HANFENG-YINGBIN'`);

  // Each lands on the page of their role.
  await dispatcher.getByRole('heading', { name: '派单看板' }).waitFor();
  await station.getByRole('heading', { name: '本站工单' }).waitFor();
  expect(await station.locator('[data-stage="SUBMITTED"]').count()).toBe(0); // a station never sees orders before dispatch

  // 点单: the resident reports the equipment with its place and a photo.
  await resident.getByLabel('标题').fill(TITLE);
  await resident.getByLabel('类别').selectOption('SAFETY_FACILITIES');
  await resident.getByLabel('详细描述').fill('小区健身器材锈迹斑斑，部分已经损坏，存在安全隐患，希望尽快维修。');
  await resident.getByLabel('地址').fill('开州区汉丰街道迎宾社区腾龙广场小区');
  await resident.getByLabel('纬度').fill('31.1612');
  await resident.getByLabel('经度').fill('108.3931');
  await resident.getByLabel('照片链接（https）').fill(PHOTO);
  await resident.getByRole('button', { name: '提交点单' }).click();
  await resident.locator('.badge[data-status="SUBMITTED"]').waitFor();
  const orderId = new URL(resident.url()).hash.split('/')[2]!;
  expect(orderId).toMatch(/^\d+$/);
  await resident.locator(`img[src="${PHOTO}"]`).waitFor();
  expect(await resident.locator('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(160);
  await shoot(resident, '1-resident-placed');
  const [stored] = await platform.orders.query('SELECT title, photos, status FROM service_order WHERE id = $1', [orderId]);
  expect(stored).toMatchObject({ title: TITLE, status: 'SUBMITTED' });

  // 派单: the dispatcher's board shows it waiting; he sends it to 迎宾社区.
  await arrives(dispatcher, `[data-stage="SUBMITTED"] [data-order="${orderId}"]`);
  await shoot(dispatcher, '2-dispatcher-board');
  await dispatcher.locator(`[data-order="${orderId}"] a`).click();
  await dispatcher.getByLabel('派往实践站').selectOption(yingbin.id);
  await dispatcher.getByRole('button', { name: '派单', exact: true }).click();
  await dispatcher.locator('.badge[data-status="DISPATCHED"]').waitFor();
  await dispatcher.getByRole('status').getByText(`已派单至${yingbin.name}`).waitFor();
  await shoot(dispatcher, '3-dispatcher-dispatched');

  // The resident sees where it went.
  await arrives(resident, '.badge[data-status="DISPATCHED"]');
  expect(await resident.locator('dl').textContent()).toContain(yingbin.name);
  expect(await timeline(resident)).toEqual(['SUBMITTED', 'DISPATCHED']);

  // The station first sends it back with a reason; the center sees it returned and dispatches it again.
  await arrives(station, `[data-stage="DISPATCHED"] [data-order="${orderId}"]`);
  await shoot(station, '4-station-board');
  await station.locator(`[data-order="${orderId}"] a`).click();
  await station.getByLabel('退回原因').fill('需要先确认器材归属物业还是社区');
  await station.getByRole('button', { name: '退回', exact: true }).click();
  await station.getByRole('status').getByText('已退回中心').waitFor();
  expect(await station.locator(`[data-order="${orderId}"]`).count()).toBe(0); // back on its board, without the order
  await arrives(dispatcher, '.badge[data-status="SUBMITTED"]');
  await dispatcher.locator('dd', { hasText: '已退回 1 次' }).waitFor();
  expect(await dispatcher.locator('.timeline li[data-action="RETURNED"]').textContent()).toContain('需要先确认器材归属物业还是社区');
  await dispatcher.getByLabel('派往实践站').selectOption(yingbin.id);
  await dispatcher.getByRole('button', { name: '派单', exact: true }).click();
  await dispatcher.locator('.badge[data-status="DISPATCHED"]').waitFor();

  // 接单: the station's board shows it to accept again; it accepts and assigns 何毅 from the suggestions.
  await arrives(station, `[data-stage="DISPATCHED"] [data-order="${orderId}"]`);
  await station.locator(`[data-order="${orderId}"] a`).click();
  await station.getByRole('button', { name: '接单', exact: true }).click();
  await station.locator('.badge[data-status="ACCEPTED"]').waitFor();
  const heYi = station.getByRole('checkbox', { name: /何毅/ });
  await heYi.check();
  await station.getByRole('button', { name: '指派', exact: true }).click();
  await station.getByRole('status').getByText('已指派志愿者').waitFor();
  await station.locator('dl', { hasText: '何毅' }).waitFor();
  await station.getByRole('button', { name: '开始服务', exact: true }).click();
  await station.locator('.badge[data-status="IN_PROGRESS"]').waitFor();

  // The dispatcher follows it from the center.
  await arrives(dispatcher, '.badge[data-status="IN_PROGRESS"]');
  expect(await timeline(dispatcher)).toEqual(['SUBMITTED', 'DISPATCHED', 'RETURNED', 'DISPATCHED', 'ACCEPTED', 'ASSIGNED', 'STARTED']);

  // 送单: the station records what was done, 何毅's minutes and the funding.
  await station.getByLabel('服务情况').fill('更换健身器材一套，新增乒乓球台4张');
  await station.getByLabel(/何毅 服务时长/).fill('90');
  await station.getByLabel('落实经费（元）').fill('12000');
  await station.getByLabel('经费来源').fill('街道民生资金');
  await station.getByRole('button', { name: '送单', exact: true }).click();
  await station.locator('.badge[data-status="DELIVERED"]').waitFor();
  await shoot(station, '5-station-delivered');
  const [delivered] = await platform.orders.query('SELECT status, funding_arranged AS funding FROM service_order WHERE id = $1', [orderId]);
  expect(delivered).toEqual({ status: 'DELIVERED', funding: 12000 });

  // 评单: the resident sees the delivery and rates it 5.
  await arrives(resident, '.badge[data-status="DELIVERED"]');
  expect(await resident.locator('dl').textContent()).toContain('更换健身器材一套');
  await resident.getByRole('radio', { name: '5 星' }).check();
  await resident.getByLabel('问题是否解决').selectOption('YES');
  await resident.getByLabel('评价', { exact: true }).fill('器材换新了，感谢！');
  await resident.getByRole('button', { name: '提交评价' }).click();
  await resident.locator('.badge[data-status="EVALUATED"]').waitFor();
  await shoot(resident, '6-resident-evaluated');

  // The station and the center see the rating; the station's board has it among the evaluated.
  await arrives(station, '.badge[data-status="EVALUATED"]');
  expect(await station.locator('dl').textContent()).toContain('评分 5 星 · 已解决');
  await arrives(dispatcher, '.badge[data-status="EVALUATED"]');
  expect(await timeline(dispatcher)).toEqual(['SUBMITTED', 'DISPATCHED', 'RETURNED', 'DISPATCHED', 'ACCEPTED', 'ASSIGNED', 'STARTED', 'DELIVERED', 'EVALUATED']);
  await shoot(dispatcher, '7-dispatcher-evaluated');
  await station.getByRole('link', { name: '本站工单' }).click();
  await station.locator(`[data-stage="EVALUATED"] [data-order="${orderId}"]`).waitFor();
  await shoot(station, '8-station-board-evaluated');
  expect(await Promise.all([resident, dispatcher, station].map(unreloaded))).toEqual([true, true, true]);
});

it('shows 何毅 the hours of that order once verified, his points and the pickup code of what he redeemed', async () => {
  // Arranged through the API as the station and he would do it elsewhere: the station verifies his 90 minutes (points
  // follow through the love bank's queue) and offers a voucher, which he redeems.
  const anonymous = gatewayClient(platform.gatewayUrl, { locale: 'zh-CN' });
  const [stationAdmin, heYi] = await Promise.all([signIn(anonymous, PHONES.station), signIn(anonymous, PHONES.volunteer)]);
  const yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  const pending = await eventuallyValue(async () => {
    const records = await stationAdmin.request(ServiceRecordsDocument, { filter: { withinUnitId: yingbin.id, status: 'PENDING' }, first: 100 });
    return records.serviceRecords.edges.map((edge) => edge.node).find((node) => node.minutes === 90);
  });
  await stationAdmin.request(VerifyServiceRecordDocument, { input: { recordId: pending.id } });
  await eventuallyValue(async () => ((await heYi.request(MyAccountDocument)).myAccount?.balance ?? 0) >= 15 || undefined);
  const { createReward } = await stationAdmin.request(CreateRewardDocument, {
    input: { name: '爱心理发券', kind: 'GOODS', price: 10, stationId: yingbin.id, stock: 30, perPersonLimit: 2, limitPeriod: 'MONTH' },
  });
  const { redeemReward } = await heYi.request(RedeemRewardDocument, { input: { rewardId: createReward.id, quantity: 1, idempotencyKey: randomUUID() } });

  const volunteer = await signedIn(PHONES.volunteer, { width: 390, height: 844 });
  await volunteer.getByRole('link', { name: '我的志愿服务' }).click();
  await volunteer.locator('[data-figure="hours"]', { hasText: '1.5' }).waitFor();
  expect(await volunteer.locator('[data-figure="services"]').textContent()).toBe('1');
  expect(await volunteer.locator('[data-figure="points"]').textContent()).toBe('15');
  expect(await volunteer.locator('[data-figure="available"]').textContent()).toBe('5');
  expect(await volunteer.locator('.code').textContent()).toBe(redeemReward.pickupCode);
  await shoot(volunteer, '9-volunteer');
});
