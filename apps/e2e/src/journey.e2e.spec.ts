import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { withCheckDigit } from '@kz/auth';
import {
  AcceptOrderDocument,
  ApproveVolunteerDocument,
  AssignVolunteersDocument,
  CheckInDocument,
  CheckOutDocument,
  Client,
  CorrectServiceMinutesDocument,
  CreateActivityDocument,
  CreateRewardDocument,
  DeliverOrderDocument,
  DispatchOrderDocument,
  EvaluateOrderDocument,
  FulfilRedemptionDocument,
  MeDocument,
  MyAccountDocument,
  MyOrdersDocument,
  MyRedemptionsDocument,
  OrderDocument,
  PlaceOrderDocument,
  PublishActivityDocument,
  RedeemRewardDocument,
  RegisterVolunteerDocument,
  ReturnOrderDocument,
  RewardsDocument,
  ServiceRecordsDocument,
  SignUpDocument,
  SignUpForActivityDocument,
  StartServiceDocument,
  StationOrdersDocument,
  StationVolunteersDocument,
  UnitTreeDocument,
  VerifyServiceRecordDocument,
  VolunteerDocument,
} from '@kz/client';
import { upsertUnitRefs, UnitRef } from '@kz/org-replica';
import { eventuallyValue } from '@kz/testing';
import { gatewayClient, signIn } from './client';
import { Platform, startPlatform } from './stack';

/**
 * The journeys of the phone apps and the consoles, through the gateway with the typed client front-end teams use
 * (`@kz/client`): its documents, its headers, its errors. First the volunteer's path: sign up as a resident, register
 * as a volunteer, get approved, sign up for an activity, check in and out on site, have the hours verified, and the
 * points service's queue receives the hours exactly once. Then the article's order, from the resident's phone to the
 * station and back, and the volunteer's minutes into points he spends.
 *
 * As in production, the gateway enforces trusted documents (`TRUSTED_DOCUMENTS=enforce`) and the client sends every
 * operation by id from its manifest, published before the gateway starts as a release publishes it.
 */
let platform: Platform;
let redis: IORedis;
let pointsCredit: Queue;
let anonymous: Client;

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo', clientManifest: true, env: { TRUSTED_DOCUMENTS: 'enforce' } });
  // The points replica of the org tree, as the org events would fill it (rewards belong to a station).
  const units: UnitRef[] = await platform.org.query('SELECT id::text, code, path, level, name FROM practice_unit');
  await upsertUnitRefs(platform.points.manager, units, new Date().toISOString());
  anonymous = gatewayClient(platform.gatewayUrl, { locale: 'zh-CN' });
  redis = new IORedis(platform.config.REDIS_URL, { maxRetriesPerRequest: null });
  pointsCredit = new Queue('points-credit', { connection: redis, prefix: platform.config.QUEUE_PREFIX });
});
afterAll(async () => {
  await pointsCredit?.close();
  redis?.disconnect();
  await platform?.stop();
});

const at = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

it('takes a resident from sign-up to verified hours, with the hours on the points queue once', async () => {
  const yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  const [station] = await platform.org.query('SELECT lat, lng FROM practice_unit WHERE id = $1', [yingbin.id]);
  const stationAdmin = await signIn(anonymous, '13900230005');

  // 1. A resident of 迎宾社区 opens an account on the phone and registers as a volunteer.
  const signedUp = await anonymous.request(SignUpDocument, {
    input: { realName: '陈晓东', mobile: '13500239901', idNumber: withCheckDigit('50023419900315001'), password: 'xinzhiyuan1', homeUnitId: yingbin.id },
  });
  const resident = anonymous.with({ token: signedUp.signUp.token });
  const registered = await resident.request(RegisterVolunteerDocument, {
    input: { homeStationId: yingbin.id, skills: ['ENVIRONMENT', 'REPAIR'], availability: [{ dayOfWeek: 6, start: '08:00', end: '12:00' }] },
  });
  expect(registered.registerVolunteer.status).toBe('PENDING');

  // 2. The station admin approves after the real-name check; a new login carries the VOLUNTEER role.
  const approved = await stationAdmin.request(ApproveVolunteerDocument, { input: { volunteerId: registered.registerVolunteer.id } });
  expect(approved.approveVolunteer.status).toBe('ACTIVE');
  const volunteer = await signIn(anonymous, '13500239901', 'xinzhiyuan1');
  const volunteerToken = volunteer.options.token as string;
  expect(JSON.parse(Buffer.from(volunteerToken.split('.')[1]!, 'base64url').toString()).roles).toContain('VOLUNTEER');

  // 3. The station publishes an activity running now at the station; the volunteer signs up.
  const created = await stationAdmin.request(CreateActivityDocument, {
    input: {
      title: '腾龙广场健身器材检修',
      category: 'REPAIR',
      organizingUnitId: yingbin.id,
      startsAt: at(-30),
      endsAt: at(30),
      place: { name: '腾龙广场', location: { lat: station.lat, lng: station.lng }, checkInRadiusMeters: 200 },
      capacity: 5,
      requiredSkills: ['REPAIR'],
    },
  });
  const activityId = created.createActivity.id;
  await stationAdmin.request(PublishActivityDocument, { input: { activityId } });
  const signUp = await volunteer.request(SignUpForActivityDocument, { input: { activityId } });
  expect(signUp.signUpForActivity.status).toBe('SIGNED_UP');

  // 4. On site: check in and out next to the station.
  const here = { lat: station.lat + 0.0002, lng: station.lng };
  await volunteer.request(CheckInDocument, { input: { activityId, location: here } });
  const out = await volunteer.request(CheckOutDocument, { input: { activityId, location: here } });
  expect(out.checkOut.status).toBe('CHECKED_OUT');

  // 5. The station corrects and verifies the pending record; the volunteer's hours grow.
  const pending = await stationAdmin.request(ServiceRecordsDocument, { filter: { activityId } });
  expect(pending.serviceRecords.edges).toHaveLength(1);
  const checkedOut = pending.serviceRecords.edges[0]!.node;
  expect(checkedOut).toMatchObject({ status: 'PENDING', minutes: 0 }); // checked out a moment after checking in
  // The test cannot serve for an hour: the station corrects the minutes from the sign-in sheet, as it may.
  const corrected = await stationAdmin.request(CorrectServiceMinutesDocument, { input: { recordId: checkedOut.id, minutes: 55, reason: '签到表：09:05–10:00' } });
  const record = corrected.correctServiceMinutes;
  await stationAdmin.request(VerifyServiceRecordDocument, { input: { recordId: record.id } });
  const me = await volunteer.request(VolunteerDocument, { id: registered.registerVolunteer.id });
  expect({ verifiedMinutes: me.volunteer?.verifiedMinutes, serviceCount: me.volunteer?.serviceCount }).toEqual({ verifiedMinutes: record.minutes, serviceCount: 1 });

  // 6. The hours reach the love bank's queue exactly once (the relay publishes the outbox to BullMQ).
  const credits = async () =>
    (await pointsCredit.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'])).filter(
      (job) => job?.name === 'volunteer.hours.verified' && job.data.payload.serviceRecordId === record.id,
    );
  await eventuallyValue(async () => ((await credits()).length > 0 ? true : undefined));
  const jobs = await credits();
  expect(jobs).toHaveLength(1);
  expect(jobs[0]!.data).toMatchObject({
    type: 'volunteer.hours.verified',
    unitPath: yingbin.path,
    payload: { serviceRecordId: record.id, volunteerId: registered.registerVolunteer.id, personId: signedUp.signUp.person.id, minutes: record.minutes, category: 'REPAIR', activityId },
  });
  expect(jobs[0]!.id).toBe(jobs[0]!.data.id);
});

it('takes 周先生’s order from his phone through the station to his rating of 5, and the volunteer’s minutes into points he spends', async () => {
  const zhou = await signIn(anonymous, '13900230008');
  const dispatcher = await signIn(anonymous, '13900230002');
  const stationAdmin = await signIn(anonymous, '13900230005');
  const heYi = await signIn(anonymous, '13900230007');

  // His phone shows who he is and where he lives.
  const { me } = await zhou.request(MeDocument);
  expect(me).toMatchObject({ realName: '周建华', roles: ['RESIDENT'], homeUnit: { name: expect.stringContaining('迎宾') } });

  // 点单: he reports the rusty fitness equipment of 腾龙广场小区.
  const { placeOrder } = await zhou.request(PlaceOrderDocument, {
    input: {
      title: '腾龙广场小区健身器材锈蚀损坏',
      description: '小区健身器材锈迹斑斑，部分已经损坏，存在安全隐患，希望尽快维修。',
      category: 'SAFETY_FACILITIES',
      channel: 'WECHAT',
      address: '开州区汉丰街道迎宾社区腾龙广场小区',
      location: { lat: 31.1612, lng: 108.3931 },
    },
  });
  expect(placeOrder).toMatchObject({ status: 'SUBMITTED', code: expect.stringMatching(/^KZ-\d{8}-\d{4}$/) });
  const orderId = placeOrder.id;

  // 派单: the dispatcher finds 迎宾社区 in the tree of the district and sends it there.
  const { unitTree } = await dispatcher.request(UnitTreeDocument, { depth: 2 });
  const yingbin = unitTree.nodes.find((node) => node.unit.code === 'KZ-HANFENG-YINGBIN')!.unit;
  expect(yingbin).toMatchObject({ level: 'STATION', name: expect.stringContaining('迎宾') });
  const dispatch = () => dispatcher.request(DispatchOrderDocument, { input: { orderId, stationId: yingbin.id } });
  expect((await dispatch()).dispatchOrder).toMatchObject({ status: 'DISPATCHED', station: { id: yingbin.id } });

  // The station's board shows it; the station first sends it back with a reason, then takes it when it returns.
  const board = async () => (await stationAdmin.request(StationOrdersDocument, { filter: { status: 'DISPATCHED' }, first: 20 })).orders.edges.map((edge) => edge.node.id);
  expect(await board()).toContain(orderId);
  const returned = await stationAdmin.request(ReturnOrderDocument, { input: { orderId, reason: '需要先确认器材归属物业还是社区' } });
  expect(returned.returnOrder).toMatchObject({ status: 'SUBMITTED', returnCount: 1 });
  expect(await board()).not.toContain(orderId);
  await dispatch();
  const accepted = await stationAdmin.request(AcceptOrderDocument, { input: { orderId } });
  expect(accepted.acceptOrder.status).toBe('ACCEPTED');
  expect(accepted.acceptOrder.deadlines.deliverBy).toBeTruthy();

  // The station assigns 何毅; he starts and delivers with his minutes.
  const found = await stationAdmin.request(StationVolunteersDocument, { filter: { withinUnitId: yingbin.id, status: 'ACTIVE', search: '何毅' } });
  expect(found.volunteers.totalCount).toBe(1);
  const heYiVolunteer = found.volunteers.edges[0]!.node.id;
  const assigned = await stationAdmin.request(AssignVolunteersDocument, { input: { orderId, volunteerIds: [heYiVolunteer] } });
  expect(assigned.assignVolunteers.assignees.map((assignee) => assignee.id)).toEqual([heYiVolunteer]);
  expect((await heYi.request(StartServiceDocument, { input: { orderId } })).startService.status).toBe('IN_PROGRESS');
  const delivered = await heYi.request(DeliverOrderDocument, { input: { orderId, note: '更换健身器材一套', outcome: 'FULL', minutes: [{ volunteerId: heYiVolunteer, minutes: 90 }] } });
  expect(delivered.deliverOrder).toMatchObject({ status: 'DELIVERED', outcome: 'FULL', minutesByVolunteer: [{ minutes: 90, volunteer: { id: heYiVolunteer } }] });

  // 评单: he rates it 5 and sees the whole story on his phone.
  const evaluated = await zhou.request(EvaluateOrderDocument, { input: { orderId, rating: 5, resolved: 'YES', comment: '器材换新了，感谢！' } });
  expect(evaluated.evaluateOrder).toMatchObject({ status: 'EVALUATED', evaluation: { rating: 5, resolved: 'YES' } });
  const { order } = await zhou.request(OrderDocument, { id: orderId });
  expect(order?.timeline.map((entry) => entry.action)).toEqual(['SUBMITTED', 'DISPATCHED', 'RETURNED', 'DISPATCHED', 'ACCEPTED', 'ASSIGNED', 'STARTED', 'DELIVERED', 'EVALUATED']);
  expect(order?.timeline[2]).toMatchObject({ actorRole: 'STATION_ADMIN', note: '需要先确认器材归属物业还是社区' });
  const mine = await zhou.request(MyOrdersDocument, { first: 5 });
  expect(mine.myOrders.edges.find((edge) => edge.node.id === orderId)?.node).toMatchObject({ status: 'EVALUATED', evaluation: { rating: 5 } });

  // His 90 minutes become a service record the station verifies, and 15 points in 何毅's love bank account.
  const balanceBefore = (await heYi.request(MyAccountDocument)).myAccount?.balance ?? 0;
  const pending = await eventuallyValue(async () => {
    const records = await stationAdmin.request(ServiceRecordsDocument, { filter: { withinUnitId: yingbin.id, status: 'PENDING' }, first: 100 });
    return records.serviceRecords.edges.map((edge) => edge.node).find((node) => node.orderId === orderId);
  });
  expect(pending).toMatchObject({ minutes: 90, volunteer: { id: heYiVolunteer } });
  await stationAdmin.request(VerifyServiceRecordDocument, { input: { recordId: pending.id } });
  const account = await eventuallyValue(async () => {
    const { myAccount } = await heYi.request(MyAccountDocument, { first: 5 });
    return myAccount && myAccount.balance === balanceBefore + 15 ? myAccount : undefined;
  });
  expect(account.transactions?.edges[0]?.node).toMatchObject({ kind: 'CREDIT', amount: 15 });

  // The station offers a haircut voucher; he redeems it with the points and picks it up at the station.
  const { createReward } = await stationAdmin.request(CreateRewardDocument, {
    input: { name: '爱心理发券', kind: 'GOODS', price: 10, stationId: yingbin.id, stock: 30, perPersonLimit: 2, limitPeriod: 'MONTH' },
  });
  const rewards = await heYi.request(RewardsDocument, { filter: { unitId: yingbin.id, availableOnly: true }, first: 20 });
  expect(rewards.rewards.edges.map((edge) => edge.node.id)).toContain(createReward.id);
  const { redeemReward } = await heYi.request(RedeemRewardDocument, { input: { rewardId: createReward.id, quantity: 1, idempotencyKey: randomUUID() } });
  expect(redeemReward).toMatchObject({ status: 'RESERVED', points: 10, reward: { name: '爱心理发券' } });
  const redemptions = await heYi.request(MyRedemptionsDocument, { status: 'RESERVED' });
  expect(redemptions.redemptions.edges.map((edge) => edge.node.id)).toContain(redeemReward.id);
  const fulfilled = await stationAdmin.request(FulfilRedemptionDocument, { input: { code: redeemReward.pickupCode! } });
  expect(fulfilled.fulfilRedemption.status).toBe('FULFILLED');
  expect((await heYi.request(MyAccountDocument)).myAccount).toMatchObject({ balance: balanceBefore + 5, reserved: 0, available: balanceBefore + 5 });
});
