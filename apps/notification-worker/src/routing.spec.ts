import type { EventActor, EventEnvelope } from '@kz/events';
import { NOTIFICATION_ROUTES, renderTemplate } from '@kz/notifications';
import { anEvent, Harness } from './testing/harness';
import { anOrder, A, P, V } from './testing/world';

/**
 * Each event kind on the `notifications` queue reaches exactly the right people, once each, with the text of their
 * audience: one row of the table per case, against a fake directory of the owning services.
 */
let harness: Harness;

beforeAll(async () => {
  harness = await Harness.start();
  await harness.replica();
});

afterAll(() => harness?.stop());

const as = (personId: string, ...roles: string[]): EventActor => ({ personId, roles });
const dueAt = '2026-11-28T06:00:00.000Z';

type Case = [label: string, make: () => EventEnvelope, expected: Record<string, 'RESIDENT' | 'STAFF' | 'VOLUNTEER'>, urgent?: boolean];

const order = () => anOrder(harness.fake, { assignees: [V.heYi, V.li] });

const cases: Case[] = [
  ['order.submitted by the resident: the dispatchers, not the resident', () => {
    const o = anOrder(harness.fake, { station: null, status: 'SUBMITTED' });
    return anEvent('order.submitted', { orderId: o.id, code: o.code, source: 'RESIDENT', category: o.category, specialGroup: 'NONE', location: null, urgency: 'NORMAL' }, { actor: as(P.zhou, 'RESIDENT') });
  }, { [P.dispatcher]: 'STAFF' }],
  ['order.submitted about a safety hazard on the resident’s behalf: urgent, and the resident hears', () => {
    const o = anOrder(harness.fake, { station: null, status: 'SUBMITTED', category: 'SAFETY_FACILITIES' });
    return anEvent('order.submitted', { orderId: o.id, code: o.code, source: 'RESIDENT', category: o.category, specialGroup: 'NONE', location: null, urgency: 'NORMAL' }, { actor: as(P.gridWorker, 'GRID_WORKER') });
  }, { [P.dispatcher]: 'STAFF', [P.zhou]: 'RESIDENT' }, true],
  ['order.dispatched: the station’s admins and the resident', () => anEvent('order.dispatched', { orderId: order().id, stationId: '123', dueAt }, { actor: as(P.dispatcher, 'DISPATCHER') }), { [P.yingbinAdmin]: 'STAFF', [P.zhou]: 'RESIDENT' }],
  ['order.dispatched of an URGENT order to a practice point: its station’s admins, urgent', () => {
    const o = anOrder(harness.fake, { station: '1230', urgency: 'URGENT' });
    return anEvent('order.dispatched', { orderId: o.id, stationId: '1230' }, { actor: as(P.dispatcher, 'DISPATCHER') });
  }, { [P.yingbinAdmin]: 'STAFF', [P.zhou]: 'RESIDENT' }, true],
  ['order.accepted: the resident', () => anEvent('order.accepted', { orderId: order().id, stationId: '123', dueAt }, { actor: as(P.yingbinAdmin, 'STATION_ADMIN') }), { [P.zhou]: 'RESIDENT' }],
  ['order.returned: the dispatchers', () => anEvent('order.returned', { orderId: order().id, stationId: '123', reason: '不在本站服务范围' }, { actor: as(P.yingbinAdmin, 'STATION_ADMIN') }), { [P.dispatcher]: 'STAFF' }],
  ['order.assigned: the volunteers named and the resident', () => anEvent('order.assigned', { orderId: order().id, volunteerIds: [V.heYi] }, { actor: as(P.yingbinAdmin, 'STATION_ADMIN') }), { [P.heYi]: 'VOLUNTEER', [P.zhou]: 'RESIDENT' }],
  ['order.started: the resident', () => anEvent('order.started', { orderId: order().id }, { actor: as(P.yingbinAdmin, 'STATION_ADMIN') }), { [P.zhou]: 'RESIDENT' }],
  ['order.delivered: the resident', () => anEvent('order.delivered', { orderId: order().id, outcome: 'FULL' }, { actor: as(P.yingbinAdmin, 'STATION_ADMIN') }), { [P.zhou]: 'RESIDENT' }],
  ['order.evaluated: the station’s admins and the volunteers', () => anEvent('order.evaluated', { orderId: order().id, rating: 5, resolved: 'YES' }, { actor: as(P.zhou, 'RESIDENT') }), { [P.yingbinAdmin]: 'STAFF', [P.heYi]: 'VOLUNTEER', [P.li]: 'VOLUNTEER' }],
  ['order.closed: the resident', () => anEvent('order.closed', { orderId: order().id }), { [P.zhou]: 'RESIDENT' }],
  ['order.cancelled by the resident: the station and the volunteers', () => anEvent('order.cancelled', { orderId: order().id }, { actor: as(P.zhou, 'RESIDENT') }), { [P.yingbinAdmin]: 'STAFF', [P.heYi]: 'VOLUNTEER', [P.li]: 'VOLUNTEER' }],
  ['order.reopened: the station and the volunteers', () => anEvent('order.reopened', { orderId: order().id, rating: 1, resolved: 'NO', dueAt }), { [P.yingbinAdmin]: 'STAFF', [P.heYi]: 'VOLUNTEER', [P.li]: 'VOLUNTEER' }],
  ['order.followUp.added on a dispatched order: the station', () => anEvent('order.followUp.added', { orderId: order().id, note: '什么时候来修？' }, { actor: as(P.zhou, 'RESIDENT') }), { [P.yingbinAdmin]: 'STAFF' }],
  ['order.followUp.added before dispatch: the dispatchers', () => {
    const o = anOrder(harness.fake, { station: null, status: 'SUBMITTED' });
    return anEvent('order.followUp.added', { orderId: o.id, note: '有人处理吗？' }, { actor: as(P.zhou, 'RESIDENT') });
  }, { [P.dispatcher]: 'STAFF' }],
  ['order.escalated to the institute: its admins, urgent', () => anEvent('order.escalated', { orderId: order().id, stage: 'ACCEPT', level: 'INSTITUTE', dueAt }, { actor: { system: 'dispatch-worker' } }), { [P.hanfengAdmin]: 'STAFF' }, true],
  ['order.escalated to the center: its admin and dispatchers, urgent', () => anEvent('order.escalated', { orderId: order().id, stage: 'DELIVER', level: 'CENTER', dueAt }, { actor: { system: 'dispatch-worker' } }), { [P.centerAdmin]: 'STAFF', [P.dispatcher]: 'STAFF' }, true],
  ['volunteer.registered by the person: the station’s admins', () => anEvent('volunteer.registered', { volunteerId: V.heYi, personId: P.heYi, stationId: '123' }, { actor: as(P.heYi, 'RESIDENT') }), { [P.yingbinAdmin]: 'STAFF' }],
  ['volunteer.registered by a grid worker: the station’s admins and the person', () => anEvent('volunteer.registered', { volunteerId: V.li, personId: P.li, stationId: '123' }, { actor: as(P.gridWorker, 'GRID_WORKER') }), { [P.yingbinAdmin]: 'STAFF', [P.li]: 'VOLUNTEER' }],
  ...(['volunteer.approved', 'volunteer.rejected', 'volunteer.suspended', 'volunteer.reinstated'] as const).map(
    (type): Case => [`${type}: the volunteer`, () => anEvent(type, { volunteerId: V.heYi, personId: P.heYi, stationId: '123', reason: '资料不全' }, { actor: as(P.yingbinAdmin, 'STATION_ADMIN') }), { [P.heYi]: 'VOLUNTEER' }],
  ),
  ...(['ACCEPTED', 'DECLINED'] as const).map(
    (decision): Case => [
      `volunteer.record.correction.decided (${decision}): the volunteer who asked, not the staff member who decided`,
      () =>
        anEvent(
          'volunteer.record.correction.decided',
          { correctionRequestId: '12', serviceRecordId: '104', volunteerId: V.heYi, personId: P.heYi, decision, title: '腾龙广场环境整治', oldMinutes: 60, proposedMinutes: 90, minutes: decision === 'ACCEPTED' ? 90 : 60, reason: '核对签到表' },
          { actor: as(P.yingbinAdmin, 'STATION_ADMIN') },
        ),
      { [P.heYi]: 'VOLUNTEER' },
    ],
  ),
  ['activity.published: nobody (found by browsing)', () => anEvent('activity.published', { activityId: '31', unitId: '123', startsAt: dueAt }, { actor: as(P.yingbinAdmin, 'STATION_ADMIN') }), {}],
  ['activity.cancelled by the system: the admins of its own unit', () => anEvent('activity.cancelled', { activityId: '31', unitId: '123', startsAt: dueAt }), { [P.yingbinAdmin]: 'STAFF' }],
  ['volunteer.star.eligible: the home station’s admins, who decide (the verifying one too), and the volunteer', () => anEvent('volunteer.star.eligible', { volunteerId: V.heYi, personId: P.heYi, level: 2, name: '2星志愿者', neededHours: 300, verifiedHours: 300.5, stationId: '123' }, { actor: as(P.yingbinAdmin, 'STATION_ADMIN') }), { [P.yingbinAdmin]: 'STAFF', [P.heYi]: 'VOLUNTEER' }],
  ['volunteer.star.awarded: the volunteer, not the admin who granted it', () => anEvent('volunteer.star.awarded', { awardId: '41', volunteerId: V.heYi, personId: P.heYi, level: 3, name: '3星志愿者', awardedOn: '2026-12-05', grantingUnitId: '123', grantingUnitName: '迎宾社区新时代文明实践站', stationId: '123' }, { actor: as(P.yingbinAdmin, 'STATION_ADMIN') }), { [P.heYi]: 'VOLUNTEER' }],
  ['volunteer.records.overdue at a station: its admins', () => anEvent('volunteer.records.overdue', { unitId: '123', unitPath: '1/7/123', count: 2, oldestDueOn: '2026-10-20', asOf: '2026-10-21' }, { actor: { system: 'volunteers-subgraph' } }), { [P.yingbinAdmin]: 'STAFF' }],
  ['volunteer.records.overdue at a practice point: its station’s admins', () => anEvent('volunteer.records.overdue', { unitId: '1230', unitPath: '1/7/123/1230', count: 1, oldestDueOn: '2026-10-20', asOf: '2026-10-21' }, { actor: { system: 'volunteers-subgraph' } }), { [P.yingbinAdmin]: 'STAFF' }],
  ['points.credited: the holder', () => anEvent('points.credited', { accountId: A.heYi, personId: P.heYi, amount: 30, serviceRecordId: '77' }), { [P.heYi]: 'VOLUNTEER' }],
  ['points.transferred: the receiving holder', () => anEvent('points.transferred', { fromAccountId: A.zhou, toAccountId: A.heYi, amount: 10 }, { actor: as(P.zhou, 'RESIDENT') }), { [P.heYi]: 'RESIDENT' }],
  ['points.redemption.reserved by the holder: the holder all the same (where and by when)', () => anEvent('points.redemption.reserved', { redemptionId: '61', accountId: A.zhou, rewardId: '5', quantity: 1, points: 100, stationId: '123', expiresAt: dueAt }, { actor: as(P.zhou, 'RESIDENT') }), { [P.zhou]: 'RESIDENT' }],
  ['points.redemption.fulfilled: the holder', () => anEvent('points.redemption.fulfilled', { redemptionId: '61', accountId: A.zhou, rewardId: '5', quantity: 1, points: 100, stationId: '123' }, { actor: as(P.yingbinAdmin, 'STATION_ADMIN') }), { [P.zhou]: 'RESIDENT' }],
  ['points.redemption.cancelled by the holder: nobody', () => anEvent('points.redemption.cancelled', { redemptionId: '62', accountId: A.zhou, rewardId: '5', quantity: 1, points: 100, stationId: '123' }, { actor: as(P.zhou, 'RESIDENT') }), {}],
  ['points.redemption.expired: the holder', () => anEvent('points.redemption.expired', { redemptionId: '63', accountId: A.liu, rewardId: '5', quantity: 1, points: 100, stationId: '200' }), { [P.liu]: 'RESIDENT' }],
  ['carePlan.visit.due: the station’s admins', () => {
    const visit = anOrder(harness.fake, { requester: null, status: 'SUBMITTED' });
    return anEvent('carePlan.visit.due', { carePlanId: '9', orderId: visit.id, beneficiary: '王*', dueAt }, { actor: { system: 'dispatch-worker' } });
  }, { [P.yingbinAdmin]: 'STAFF' }],
  ['carePlan.visit.missed: the station’s and the institute’s admins, urgent', () => anEvent('carePlan.visit.missed', { carePlanId: '9', beneficiary: '王*', dueAt }, { actor: { system: 'dispatch-worker' } }), { [P.yingbinAdmin]: 'STAFF', [P.hanfengAdmin]: 'STAFF' }, true],
];

describe('who hears of what', () => {
  it('covers every kind with a route in the table', () => {
    const covered = new Set(cases.map(([label]) => label.split(' ')[0]!.replace(':', '')));
    expect(Object.keys(NOTIFICATION_ROUTES).filter((type) => !covered.has(type))).toEqual([]);
  });

  it.each(cases)('%s', async (_, make, expected, urgent = false) => {
    const event = make();
    await harness.publish(event);
    expect(await harness.settled(event.id)).toBe('completed');
    const rows = await harness.notificationsOf(event.id);
    expect(Object.fromEntries(rows.map((row) => [row.recipient, row.audience]))).toEqual(expected);
    expect(rows).toHaveLength(Object.keys(expected).length);
    for (const row of rows) {
      expect(row.kind).toBe(event.type);
      expect(row.urgent).toBe(urgent);
      expect({ title: row.title, body: row.body }).toEqual(renderTemplate(event.type, row.audience, row.params, 'zh-CN'));
      expect(`${row.title} ${row.body}`).not.toMatch(/undefined|NaN|\[object/);
      expect(renderTemplate(event.type, row.audience, row.params, 'en')!.body).not.toMatch(/undefined|NaN|\[object/);
      expect(row.link).toMatch(/^(order|volunteer|activity|account|redemption|carePlan|serviceRecord|unit):\d+$/);
    }
  });
});
