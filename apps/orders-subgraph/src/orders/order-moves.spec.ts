import { randomUUID } from 'node:crypto';
import type { Claims } from '@kz/auth';
import type { EventEnvelope, EventHandler, EventType } from '@kz/events';
import { errorCodes } from '@kz/testing';
import { ordersInboxHandlers } from '../inbox';
import { as, OrdersFixture, startOrdersFixture, VOLUNTEER_HE_YI, VOLUNTEER_OTHER } from '../testing/orders-fixture';

let fixture: OrdersFixture;

beforeAll(async () => {
  fixture = await startOrdersFixture();
});
afterAll(() => fixture?.stop());

async function eventsOf(orderId: string): Promise<{ type: string; payload: Record<string, unknown>; unit_path: string | null }[]> {
  return fixture.query(`SELECT type, payload, unit_path FROM outbox WHERE payload->>'orderId' = $1 ORDER BY seq`, [orderId]);
}

async function timelineOf(orderId: string): Promise<{ action: string; from_status: string | null; to_status: string | null; actor_role: string; actor_unit_id: string | null; note: string | null }[]> {
  return fixture.query('SELECT action, from_status, to_status, actor_role, actor_unit_id::text, note FROM order_event WHERE order_id = $1 ORDER BY id', [orderId]);
}

const ORDER = `query ($id: ID!) { order(id: $id) { id status returnCount station { id } beneficiary { name phone specialGroup } evaluation { rating resolved } } }`;

describe('placing orders', () => {
  it("files a resident's order without a station under the district's center, so its dispatchers hear of it", async () => {
    const order = await fixture.must('placeOrder', { title: '楼道垃圾堆放', category: 'ENVIRONMENT', channel: 'APP' }, 'resident');
    expect((await eventsOf(order.id)).map((event) => [event.type, event.unit_path])).toEqual([['order.submitted', '1']]);
  });

  it('gives 50 orders placed at once 50 different codes of the day, numbered without a hole', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fixture.must('placeOrder', { title: `助老送餐 ${i}`, category: 'ELDERLY_CARE', channel: 'MINI_PROGRAM', stationHintId: '5' }, 'resident'),
      ),
    );
    const codes = results.map((order) => order.code);
    expect(new Set(codes).size).toBe(50);
    const [{ day }] = (await fixture.query<{ day: string }>(`SELECT to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') AS day`)) as [{ day: string }];
    for (const code of codes) expect(code).toMatch(new RegExp(`^KZ-${day}-\\d{4}$`));
    const numbers = codes.map((code) => Number(code.slice(-4))).sort((a, b) => a - b);
    expect(numbers[49]! - numbers[0]!).toBe(49);
  });

  it('records who placed an order for whom, and its first event, once', async () => {
    const order = await fixture.must(
      'placeOrder',
      {
        title: '独居老人家中水管漏水',
        category: 'ELDERLY_CARE',
        channel: 'PHONE',
        onBehalfOfPersonId: '202',
        beneficiary: { name: '王秀英', phone: '13800001234', specialGroup: 'EMPTY_NEST_ELDERLY' },
        location: { lat: 31.18, lng: 108.41 },
        urgency: 'HIGH',
      },
      'gridWorker',
      'id code status requester { id } placedBy { id } specialGroup urgency',
    );
    expect(order).toMatchObject({ status: 'SUBMITTED', requester: { id: '202' }, placedBy: { id: '105' }, specialGroup: 'EMPTY_NEST_ELDERLY' });
    expect(await timelineOf(order.id)).toEqual([
      { action: 'SUBMITTED', from_status: null, to_status: 'SUBMITTED', actor_role: 'GRID_WORKER', actor_unit_id: '5', note: null },
    ]);
    const events = await eventsOf(order.id);
    expect(events).toEqual([
      {
        type: 'order.submitted',
        unit_path: '1/2/5', // the grid worker's station: the order belongs there until dispatched
        payload: { orderId: order.id, code: order.code, source: 'RESIDENT', category: 'ELDERLY_CARE', specialGroup: 'EMPTY_NEST_ELDERLY', location: { lat: 31.18, lng: 108.41 }, urgency: 'HIGH' },
      },
    ]);
    // Only staff place for others; residents cannot name someone else.
    const refused = await fixture.mutate('placeOrder', { title: 'x', category: 'OTHER', channel: 'APP', onBehalfOfPersonId: '202' }, 'resident');
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
    const unknownStation = await fixture.mutate('placeOrder', { title: 'x', category: 'OTHER', channel: 'APP', stationHintId: '2' }, 'resident');
    expect(unknownStation.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.stationHintId' });
  });

  it('takes a patrol report (巡单) for the reporter’s station', async () => {
    const order = await fixture.must('reportPatrolOrder', { title: '健身器材锈蚀', category: 'SAFETY_FACILITIES' }, 'gridWorker', 'id status source requester { id }');
    expect(order).toMatchObject({ status: 'SUBMITTED', source: 'PATROL', requester: { id: '105' } });
    expect(errorCodes(await fixture.mutate('reportPatrolOrder', { title: 'x', category: 'OTHER' }, 'resident'))).toEqual(['FORBIDDEN']);
  });
});

describe('the six orders', () => {
  it('go from placing to closing, with one timeline line and one event per move and the deadlines on the events', async () => {
    const id = await fixture.orderIn('CLOSED');
    expect((await timelineOf(id)).map((entry) => `${entry.action}:${entry.actor_role}:${entry.actor_unit_id ?? '-'}`)).toEqual([
      'SUBMITTED:RESIDENT:-',
      'DISPATCHED:DISPATCHER:1',
      'ACCEPTED:STATION_ADMIN:5',
      'ASSIGNED:STATION_ADMIN:5',
      'STARTED:STATION_ADMIN:5',
      'DELIVERED:STATION_ADMIN:5',
      'EVALUATED:RESIDENT:-',
      'CLOSED:SYSTEM:-',
    ]);
    const events = await eventsOf(id);
    expect(events.map((event) => event.type)).toEqual([
      'order.submitted',
      'order.dispatched',
      'order.accepted',
      'order.assigned',
      'order.started',
      'order.delivered',
      'order.evaluated',
      'order.closed',
    ]);
    const [row] = await fixture.query<{ accept_by: Date; deliver_by: Date; evaluate_by: Date; dispatched_at: Date; accepted_at: Date; delivered_at: Date; station_path: string }>(
      'SELECT * FROM service_order WHERE id = $1',
      [id],
    );
    expect(events[1]!.payload).toEqual({ orderId: id, stationId: '5', dueAt: row!.accept_by.toISOString() });
    // NORMAL urgency: 240 minutes to accept, 4320 to deliver, 10080 to evaluate (the defaults).
    expect(row!.accept_by.getTime() - row!.dispatched_at.getTime()).toBe(240 * 60_000);
    expect(row!.deliver_by.getTime() - row!.accepted_at.getTime()).toBe(4320 * 60_000);
    expect(row!.evaluate_by.getTime() - row!.delivered_at.getTime()).toBe(10080 * 60_000);
    expect(events[2]!.payload).toEqual({ orderId: id, stationId: '5', dueAt: row!.deliver_by.toISOString() });
    expect(events[5]!.payload).toMatchObject({
      orderId: id,
      round: 1,
      outcome: 'FULL',
      minutesByVolunteer: { [VOLUNTEER_HE_YI]: 90 },
      stationId: '5',
      category: 'SAFETY_FACILITIES',
      title: '楼道灯坏了',
      dueAt: row!.evaluate_by.toISOString(),
    });
    expect(events.every((event) => event.unit_path === '1/2/5')).toBe(true);
    expect(events[7]!.payload).toEqual({ orderId: id, rating: 5, resolved: 'YES' });
  });

  it('shortens the deadlines of urgent orders to a quarter', async () => {
    const order = await fixture.must('placeOrder', { title: '燃气泄漏', category: 'SAFETY_FACILITIES', channel: 'APP', urgency: 'URGENT' }, 'resident');
    await fixture.must('dispatchOrder', { orderId: order.id, stationId: '5' }, 'dispatcher');
    const [row] = await fixture.query<{ accept_by: Date; dispatched_at: Date }>('SELECT accept_by, dispatched_at FROM service_order WHERE id = $1', [order.id]);
    expect(row!.accept_by.getTime() - row!.dispatched_at.getTime()).toBe(60 * 60_000);
  });

  it('goes back to the center when a station returns an order, with the station and the reason on record, and can be dispatched again', async () => {
    const id = await fixture.orderIn('DISPATCHED');
    const missing = await fixture.mutate('returnOrder', { orderId: id, reason: '  ' }, 'stationAdmin');
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason' });
    await fixture.must('returnOrder', { orderId: id, reason: '不在本站服务范围' }, 'instituteAdmin');
    const order = await fixture.ask<{ order: Record<string, unknown> }>(ORDER, { id }, 'dispatcher');
    expect(order.data!.order).toMatchObject({ status: 'SUBMITTED', returnCount: 1, station: null });
    expect((await timelineOf(id)).at(-1)).toEqual({
      action: 'RETURNED',
      from_status: 'DISPATCHED',
      to_status: 'SUBMITTED',
      actor_role: 'INSTITUTE_ADMIN',
      actor_unit_id: '5',
      note: '不在本站服务范围',
    });
    expect((await eventsOf(id)).at(-1)).toMatchObject({ type: 'order.returned', payload: { orderId: id, stationId: '5', reason: '不在本站服务范围' } });
    await fixture.must('dispatchOrder', { orderId: id, stationId: '6' }, 'dispatcher');
    expect(errorCodes(await fixture.mutate('acceptOrder', { orderId: id }, 'stationAdmin'))).toEqual(['FORBIDDEN']); // station 5 no longer holds it
  });

  it('needs a volunteer before the service starts, and takes minutes only for the assignees', async () => {
    const id = await fixture.orderIn('DISPATCHED');
    await fixture.must('acceptOrder', { orderId: id }, 'stationAdmin');
    const early = await fixture.mutate('startService', { orderId: id }, 'stationAdmin');
    expect(early.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', from: 'ACCEPTED', to: 'IN_PROGRESS' });
    const twice = await fixture.mutate('assignVolunteers', { orderId: id, volunteerIds: [VOLUNTEER_HE_YI, VOLUNTEER_HE_YI] }, 'stationAdmin');
    expect(twice.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.volunteerIds.1' });
    await fixture.must('assignVolunteers', { orderId: id, volunteerIds: [VOLUNTEER_HE_YI] }, 'stationAdmin');
    // The assigned volunteer may start and deliver; another may not.
    expect(errorCodes(await fixture.mutate('startService', { orderId: id }, 'otherVolunteer'))).toEqual(['FORBIDDEN']);
    await fixture.must('startService', { orderId: id }, 'volunteer');
    const stranger = await fixture.mutate(
      'deliverOrder',
      { orderId: id, note: '完成', outcome: 'FULL', minutes: [{ volunteerId: VOLUNTEER_OTHER, minutes: 30 }] },
      'stationAdmin',
    );
    expect(stranger.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.minutes.0.volunteerId', id: VOLUNTEER_OTHER });
    const delivered = await fixture.must(
      'deliverOrder',
      { orderId: id, note: '完成', outcome: 'PARTIAL', minutes: [{ volunteerId: VOLUNTEER_HE_YI, minutes: 45 }], fundingArranged: 800, fundingSource: '社区微基金' },
      'volunteer',
      'id status outcome fundingArranged fundingSource minutesByVolunteer { volunteer { id } minutes }',
    );
    expect(delivered).toMatchObject({
      status: 'DELIVERED',
      outcome: 'PARTIAL',
      fundingArranged: 800,
      fundingSource: '社区微基金',
      minutesByVolunteer: [{ volunteer: { id: VOLUNTEER_HE_YI }, minutes: 45 }],
    });
  });

  it('reopens an order the requester says was not resolved, with a new delivery deadline', async () => {
    const id = await fixture.orderIn('DELIVERED');
    expect(errorCodes(await fixture.mutate('evaluateOrder', { orderId: id, rating: 1, resolved: 'NO' }, 'otherResident'))).toEqual(['FORBIDDEN']);
    const reopened = await fixture.must('evaluateOrder', { orderId: id, rating: 2, resolved: 'NO', comment: '灯还是不亮' }, 'resident');
    expect(reopened.status).toBe('ACCEPTED');
    expect((await timelineOf(id)).slice(-2)).toEqual([
      { action: 'EVALUATED', from_status: 'DELIVERED', to_status: 'EVALUATED', actor_role: 'RESIDENT', actor_unit_id: null, note: '灯还是不亮' },
      { action: 'REOPENED', from_status: 'EVALUATED', to_status: 'ACCEPTED', actor_role: 'SYSTEM', actor_unit_id: null, note: '灯还是不亮' },
    ]);
    const events = (await eventsOf(id)).slice(-2);
    expect(events.map((event) => event.type)).toEqual(['order.evaluated', 'order.reopened']);
    expect(events[1]!.payload).toMatchObject({ orderId: id, rating: 2, resolved: 'NO', dueAt: expect.any(String) });
    // Served again and evaluated again.
    await fixture.must('startService', { orderId: id }, 'stationAdmin');
    await fixture.must('deliverOrder', { orderId: id, note: '换了灯泡', outcome: 'FULL', minutes: [{ volunteerId: VOLUNTEER_HE_YI, minutes: 20 }] }, 'stationAdmin');
    expect((await fixture.must('evaluateOrder', { orderId: id, rating: 5, resolved: 'YES' }, 'resident')).status).toBe('EVALUATED');
  });

  it('keeps every delivery round: a redelivery after a NO is round 2, and the minutes per volunteer add up the rounds', async () => {
    const id = await fixture.orderIn('ACCEPTED');
    await fixture.must('assignVolunteers', { orderId: id, volunteerIds: [VOLUNTEER_HE_YI, VOLUNTEER_OTHER] }, 'stationAdmin');
    await fixture.must('startService', { orderId: id }, 'stationAdmin');
    const first = { volunteerId: VOLUNTEER_HE_YI, minutes: 30 };
    await fixture.must('deliverOrder', { orderId: id, note: '临时加固', outcome: 'PARTIAL', minutes: [first, { volunteerId: VOLUNTEER_OTHER, minutes: 20 }] }, 'stationAdmin');
    await fixture.must('evaluateOrder', { orderId: id, rating: 2, resolved: 'NO', comment: '还是会晃' }, 'resident');
    // The second round is served by 何毅 alone: the other volunteer is taken off, and keeps the minutes served.
    await fixture.must('assignVolunteers', { orderId: id, volunteerIds: [VOLUNTEER_HE_YI] }, 'stationAdmin');
    await fixture.must('startService', { orderId: id }, 'stationAdmin');
    // Three deliveries at once: the order's lock lets one through, which is round 2; the others find it delivered.
    const attempts = await Promise.all(
      [45, 46, 47].map((minutes) =>
        fixture.mutate('deliverOrder', { orderId: id, note: '更换器材', outcome: 'FULL', minutes: [{ volunteerId: VOLUNTEER_HE_YI, minutes }] }, 'stationAdmin'),
      ),
    );
    expect(attempts.filter((attempt) => !attempt.errors)).toHaveLength(1);
    expect(attempts.flatMap((attempt) => errorCodes(attempt))).toEqual(['INVALID_TRANSITION', 'INVALID_TRANSITION']);
    const served = attempts.findIndex((attempt) => !attempt.errors);
    const secondMinutes = [45, 46, 47][served]!;
    await fixture.must('evaluateOrder', { orderId: id, rating: 5, resolved: 'YES' }, 'resident');

    const view = await fixture.ask<{ order: Record<string, unknown> }>(
      `query ($id: ID!) { order(id: $id) {
        outcome deliveryNote evaluation { rating resolved } minutesByVolunteer { volunteer { id } minutes }
        deliveries { round deliveredAt outcome note minutesByVolunteer { volunteer { id } minutes } evaluation { rating resolved comment evaluatedAt } }
      } }`,
      { id },
      'stationAdmin',
    );
    expect(view.errors).toBeUndefined();
    const order = view.data!.order;
    expect(order).toMatchObject({
      outcome: 'FULL',
      deliveryNote: '更换器材',
      evaluation: { rating: 5, resolved: 'YES' },
      minutesByVolunteer: [
        { volunteer: { id: VOLUNTEER_HE_YI }, minutes: 30 + secondMinutes },
        { volunteer: { id: VOLUNTEER_OTHER }, minutes: 20 },
      ],
      deliveries: [
        {
          round: 1,
          outcome: 'PARTIAL',
          note: '临时加固',
          minutesByVolunteer: [
            { volunteer: { id: VOLUNTEER_HE_YI }, minutes: 30 },
            { volunteer: { id: VOLUNTEER_OTHER }, minutes: 20 },
          ],
          evaluation: { rating: 2, resolved: 'NO', comment: '还是会晃' },
        },
        { round: 2, outcome: 'FULL', note: '更换器材', minutesByVolunteer: [{ volunteer: { id: VOLUNTEER_HE_YI }, minutes: secondMinutes }], evaluation: { rating: 5, resolved: 'YES', comment: null } },
      ],
    });
    const [round1, round2] = order.deliveries as { deliveredAt: string; evaluation: { evaluatedAt: string } }[];
    expect(Date.parse(round1!.deliveredAt)).toBeLessThanOrEqual(Date.parse(round1!.evaluation.evaluatedAt));
    expect(Date.parse(round1!.evaluation.evaluatedAt)).toBeLessThanOrEqual(Date.parse(round2!.deliveredAt));

    // One order.delivered per round, naming it, with that round's minutes only.
    const delivered = (await eventsOf(id)).filter((event) => event.type === 'order.delivered');
    expect(delivered.map((event) => [event.payload.round, event.payload.outcome, event.payload.minutesByVolunteer])).toEqual([
      [1, 'PARTIAL', { [VOLUNTEER_HE_YI]: 30, [VOLUNTEER_OTHER]: 20 }],
      [2, 'FULL', { [VOLUNTEER_HE_YI]: secondMinutes }],
    ]);
  });

  it('lets the requester cancel before acceptance only, and follow up until it closes', async () => {
    const submitted = await fixture.orderIn('SUBMITTED');
    await fixture.must('addFollowUp', { orderId: submitted, note: '什么时候来？' }, 'resident');
    expect((await fixture.must('cancelOrder', { orderId: submitted, reason: '已自行解决' }, 'resident')).status).toBe('CANCELLED');
    const accepted = await fixture.orderIn('ACCEPTED');
    const late = await fixture.mutate('cancelOrder', { orderId: accepted }, 'resident');
    expect(late.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', from: 'ACCEPTED', to: 'CANCELLED' });
    await fixture.must('addFollowUp', { orderId: accepted, note: '请尽快' }, 'resident');
    // The follow-up belongs to the station holding the order, so its staff are notified.
    expect((await eventsOf(accepted)).at(-1)).toEqual({ type: 'order.followUp.added', unit_path: '1/2/5', payload: { orderId: accepted, note: '请尽快' } });
    const closed = await fixture.orderIn('CLOSED');
    expect(errorCodes(await fixture.mutate('addFollowUp', { orderId: closed, note: '谢谢' }, 'resident'))).toEqual(['INVALID_TRANSITION']);
  });
});

describe('the dispatch worker’s mutations', () => {
  const ESCALATE = 'id status timeline { action note }';

  it('escalate a stage once per order, stage, deadline and level, and only while the stage applies', async () => {
    const id = await fixture.orderIn('DISPATCHED');
    const input = { orderId: id, stage: 'ACCEPT', level: 'INSTITUTE' };
    const results = await Promise.all([1, 2, 3].map(() => fixture.mutate('escalateOrder', input, 'service', ESCALATE)));
    expect(results.map((result) => result.errors)).toEqual([undefined, undefined, undefined]);
    await fixture.must('escalateOrder', input, 'service');
    await fixture.must('escalateOrder', { ...input, stage: 'DELIVER' }, 'service'); // not the current stage: nothing
    await fixture.must('escalateOrder', { ...input, level: 'CENTER' }, 'service');
    const escalations = (await timelineOf(id)).filter((entry) => entry.action === 'ESCALATED');
    expect(escalations.map((entry) => `${entry.note}:${entry.actor_role}`)).toEqual(['ACCEPT → INSTITUTE:SYSTEM', 'ACCEPT → CENTER:SYSTEM']);
    const events = (await eventsOf(id)).filter((event) => event.type === 'order.escalated');
    expect(events.map((event) => event.payload.level)).toEqual(['INSTITUTE', 'CENTER']);
    expect(errorCodes(await fixture.mutate('escalateOrder', input, 'dispatcher'))).toEqual(['FORBIDDEN']);
    // Once accepted, the ACCEPT stage is over: asking again changes nothing.
    await fixture.must('acceptOrder', { orderId: id }, 'stationAdmin');
    const after = await fixture.must<{ status: string }>('escalateOrder', { ...input, level: 'INSTITUTE' }, 'service');
    expect(after.status).toBe('ACCEPTED');
    expect((await timelineOf(id)).filter((entry) => entry.action === 'ESCALATED')).toHaveLength(2);
  });

  it('dispatch and close an order past that state with INVALID_TRANSITION, which the worker takes as done', async () => {
    const dispatched = await fixture.orderIn('DISPATCHED');
    const again = await fixture.mutate('dispatchOrder', { orderId: dispatched, stationId: '5' }, 'service');
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', from: 'DISPATCHED', event: 'dispatch', to: 'DISPATCHED' });
    const closed = await fixture.orderIn('CLOSED');
    const close = await fixture.mutate('closeOrder', { orderId: closed }, 'service');
    expect(close.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', from: 'CLOSED', to: 'CLOSED' });
    expect((await eventsOf(closed)).filter((event) => event.type === 'order.closed')).toHaveLength(1);
    const delivered = await fixture.orderIn('DELIVERED');
    const both = await Promise.all([1, 2].map(() => fixture.mutate('closeOrder', { orderId: delivered }, 'service')));
    expect(both.map((result) => errorCodes(result)).sort()).toEqual([[], ['INVALID_TRANSITION']]);
  });

  it('turn a due care visit into one dispatched patrol order per plan and due time, and flag a missed one once', async () => {
    const plan = await fixture.must<{ id: string; nextVisitAt: string }>(
      'createCarePlan',
      {
        beneficiary: { name: '陈桂兰', phone: '13900001111', specialGroup: 'EMPTY_NEST_ELDERLY' },
        address: '迎宾社区 3 栋 2 单元',
        stationId: '5',
        volunteerIds: [VOLUNTEER_HE_YI],
        frequency: 'WEEKLY',
        firstVisitAt: '2026-12-01T01:00:00.000Z',
      },
      'stationAdmin',
      'id nextVisitAt',
    );
    const input = { carePlanId: plan.id, dueAt: '2026-12-01T01:00:00.000Z' };
    const visits = await Promise.all([1, 2, 3].map(() => fixture.must<{ id: string; status: string }>('recordCarePlanVisit', input, 'service', 'id status')));
    expect(new Set(visits.map((visit) => visit.id)).size).toBe(1);
    expect(visits[0]!.status).toBe('DISPATCHED');
    const [order] = await fixture.query<Record<string, unknown>>(
      'SELECT source, category, station_id::text, beneficiary_name, care_plan_id::text, title FROM service_order WHERE id = $1',
      [visits[0]!.id],
    );
    expect(order).toMatchObject({ source: 'PATROL', category: 'ELDERLY_CARE', station_id: '5', beneficiary_name: '陈桂兰', care_plan_id: plan.id, title: '每周关爱走访：陈**' });
    const planEvents = await fixture.query<{ type: string; payload: Record<string, unknown> }>(
      `SELECT type, payload FROM outbox WHERE payload->>'carePlanId' = $1 ORDER BY seq`,
      [plan.id],
    );
    expect(planEvents.map((event) => event.type)).toEqual(['carePlan.scheduled', 'carePlan.visit.due', 'carePlan.scheduled']);
    expect(planEvents[1]!.payload).toEqual({ carePlanId: plan.id, orderId: visits[0]!.id, beneficiary: '陈**', dueAt: input.dueAt });
    expect(planEvents[2]!.payload).toMatchObject({ nextVisitAt: '2026-12-08T01:00:00.000Z', active: true });
    expect((await eventsOf(visits[0]!.id)).map((event) => event.type)).toEqual(['order.dispatched', 'carePlan.visit.due']);

    const missed = await Promise.all([1, 2].map(() => fixture.must<{ missedVisits: number }>('markVisitMissed', { carePlanId: plan.id, orderId: visits[0]!.id }, 'service', 'missedVisits')));
    expect(missed.map((result) => result.missedVisits)).toEqual([1, 1]);
    const flagged = await fixture.query(`SELECT 1 FROM outbox WHERE type = 'carePlan.visit.missed' AND payload->>'carePlanId' = $1`, [plan.id]);
    expect(flagged).toHaveLength(1);
    const other = await fixture.orderIn('DISPATCHED');
    const wrong = await fixture.mutate('markVisitMissed', { carePlanId: plan.id, orderId: other }, 'service', 'id');
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.orderId' });

    // Paused, it makes no new visits, but still answers for the one it made.
    await fixture.must('updateCarePlan', { id: plan.id, active: false }, 'stationAdmin', 'id');
    expect(errorCodes(await fixture.mutate('recordCarePlanVisit', { carePlanId: plan.id, dueAt: '2026-12-08T01:00:00.000Z' }, 'service'))).toEqual(['INVALID_TRANSITION']);
    expect((await fixture.must('recordCarePlanVisit', input, 'service')).id).toBe(visits[0]!.id);
    expect(errorCodes(await fixture.mutate('recordCarePlanVisit', input, 'stationAdmin'))).toEqual(['FORBIDDEN']);
  });
});

describe('who sees an order', () => {
  it('is the requester, the volunteers assigned, the staff of its station’s subtree and the center; names masked for the rest', async () => {
    const order = await fixture.must(
      'placeOrder',
      { title: '帮忙取药', category: 'HEALTH', channel: 'APP', stationHintId: '5', beneficiary: { name: '周建华', phone: '13900230008', specialGroup: 'NONE' } },
      'resident',
    );
    const look = async (caller: Parameters<OrdersFixture['ask']>[2]) =>
      (await fixture.ask<{ order: { beneficiary: { name: string; phone: string } } | null }>(ORDER, { id: order.id }, caller)).data!.order;
    // Before dispatch: the requester's home station's staff see it.
    expect(await look('resident')).toMatchObject({ beneficiary: { name: '周建华', phone: '13900230008' } });
    expect(await look('otherResident')).toBeNull();
    expect(await look('gridWorker')).toMatchObject({ beneficiary: { name: '周建华' } });
    expect(await look('otherStationAdmin')).toBeNull();
    expect(await look('analyst')).toMatchObject({ beneficiary: { name: '周**', phone: '139****0008' } });
    expect(await look('volunteer')).toBeNull();
    await fixture.must('dispatchOrder', { orderId: order.id, stationId: '5' }, 'dispatcher');
    await fixture.must('acceptOrder', { orderId: order.id }, 'stationAdmin');
    await fixture.must('assignVolunteers', { orderId: order.id, volunteerIds: [VOLUNTEER_HE_YI] }, 'stationAdmin');
    expect(await look('volunteer')).toMatchObject({ beneficiary: { name: '周**' } });
    expect(await look('otherVolunteer')).toBeNull();
    expect(await look('instituteAdmin')).toMatchObject({ beneficiary: { name: '周建华' } });

    const LIST = `query { orders(first: 100) { totalCount edges { node { id } } } myOrders(first: 100) { totalCount } }`;
    type Lists = { orders: { totalCount: number; edges: { node: { id: string } }[] }; myOrders: { totalCount: number } };
    const mine = await fixture.ask<Lists>(LIST, {}, 'volunteer');
    expect(mine.data!.orders.edges.map((edge) => edge.node.id)).toContain(order.id);
    const stranger = await fixture.ask<Lists>(LIST, {}, 'otherStationAdmin');
    expect(stranger.data!.orders.edges.map((edge) => edge.node.id)).not.toContain(order.id);
    expect(stranger.data!.myOrders.totalCount).toBe(0);
    // Acting on an order one cannot see says nothing about it.
    expect(errorCodes(await fixture.mutate('acceptOrder', { orderId: order.id }, 'otherStationAdmin'))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await fixture.mutate('acceptOrder', { orderId: '999999' }, 'otherStationAdmin'))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await fixture.mutate('dispatchOrder', { orderId: '999999', stationId: '5' }, 'dispatcher'))).toEqual(['NOT_FOUND']);
  });

  it('includes the workers (SERVICE), who read any order with who is involved, names still masked', async () => {
    const worker = { sub: 'notification-worker', roles: ['SERVICE'] } as Claims;
    const READ = `query ($id: ID!) {
      order(id: $id) {
        id code title status urgency category requester { id } placedBy { id } station { id } assignees { id } beneficiary { name phone }
      }
    }`;
    type Read = { order: Record<string, unknown> | null };
    // Placed by the grid worker of station 5 for resident 202, accepted and assigned at station 5.
    const assisted = await fixture.must(
      'placeOrder',
      {
        title: '独居老人家中断电',
        category: 'SAFETY_FACILITIES',
        channel: 'PHONE',
        urgency: 'URGENT',
        onBehalfOfPersonId: '202',
        stationHintId: '5',
        beneficiary: { name: '刘桂芳', phone: '13900230009', specialGroup: 'EMPTY_NEST_ELDERLY' },
      },
      'gridWorker',
    );
    await fixture.must('dispatchOrder', { orderId: assisted.id, stationId: '5' }, 'dispatcher');
    await fixture.must('acceptOrder', { orderId: assisted.id }, 'stationAdmin');
    await fixture.must('assignVolunteers', { orderId: assisted.id, volunteerIds: [VOLUNTEER_HE_YI] }, 'stationAdmin');
    // Dispatched to station 7, outside every scope but the center's.
    const elsewhere = await fixture.orderIn('SUBMITTED');
    await fixture.must('dispatchOrder', { orderId: elsewhere, stationId: '7' }, 'dispatcher');
    // Not dispatched yet.
    const waiting = await fixture.orderIn('SUBMITTED');

    const one = await fixture.ask<Read>(READ, { id: assisted.id }, worker);
    expect(one.errors).toBeUndefined();
    expect(one.data!.order).toEqual({
      id: assisted.id,
      code: assisted.code,
      title: '独居老人家中断电',
      status: 'ACCEPTED',
      urgency: 'URGENT',
      category: 'SAFETY_FACILITIES',
      requester: { id: '202' },
      placedBy: { id: '105' },
      station: { id: '5' },
      assignees: [{ id: VOLUNTEER_HE_YI }],
      beneficiary: { name: '刘**', phone: '139****0009' },
    });
    for (const [id, station, status] of [[elsewhere, { id: '7' }, 'DISPATCHED'], [waiting, null, 'SUBMITTED']] as const) {
      const result = await fixture.ask<Read>(READ, { id }, worker);
      expect(result.errors).toBeUndefined();
      expect(result.data!.order).toMatchObject({ id, status, station, requester: { id: '201' }, placedBy: null, assignees: [] });
    }
    expect((await fixture.ask<Read>(READ, { id: '999999' }, worker)).data).toEqual({ order: null });
    // Nobody else gained anything: the order of station 7 stays hidden from the others.
    for (const caller of ['otherResident', 'stationAdmin', 'instituteAdmin', 'volunteer'] as const) {
      expect((await fixture.ask<Read>(READ, { id: elsewhere }, caller)).data).toEqual({ order: null });
    }
  });
});

describe('the orders inbox', () => {
  const handlersFor = () => ordersInboxHandlers(fixture.alone.running.dataSource, fixture.alone.config);
  function envelope<T extends EventType>(type: T, payload: EventEnvelope<T>['payload'], actor: EventEnvelope['actor'] = { system: 'test' }): EventEnvelope<T> {
    return { id: randomUUID(), type, version: 1, occurredAt: new Date().toISOString(), actor, unitPath: null, payload } as EventEnvelope<T>;
  }
  const run = (event: EventEnvelope) => (handlersFor()[event.type] as EventHandler)(event, {} as never);

  it('turns a service bought with points into one dispatched order for the station offering it', async () => {
    const payload = { redemptionId: 'r-42', personId: '201', rewardId: '9', stationId: '5', description: '上门助老服务 1 小时 ×2' };
    const first = envelope('points.service.redeemed', payload, { personId: '201', roles: ['RESIDENT'] });
    await Promise.all([run(first), run(first), run(envelope('points.service.redeemed', payload))]);
    const orders = await fixture.query<Record<string, unknown>>(
      `SELECT id::text, status, source, channel, category, title, requester_person_id, station_id::text FROM service_order WHERE redemption_id = 'r-42'`,
    );
    expect(orders).toEqual([
      expect.objectContaining({ status: 'DISPATCHED', source: 'RESIDENT', channel: 'APP', category: 'ELDERLY_CARE', title: '上门助老服务 1 小时 ×2', requester_person_id: '201', station_id: '5' }),
    ]);
    expect((await eventsOf(String(orders[0]!.id))).map((event) => event.type)).toEqual(['order.dispatched']);
    // A station the replica does not know yet: retried later, nothing made now.
    await expect(run(envelope('points.service.redeemed', { ...payload, redemptionId: 'r-43', stationId: '99' }))).rejects.toThrow(/not in the unit replica/);
  });

  it('learns who a volunteer is, and moves stored paths with a unit', async () => {
    await run(envelope('volunteer.approved', { volunteerId: '77', personId: '377', stationId: '5' }));
    expect(await fixture.query('SELECT person_id, status FROM volunteer_ref WHERE id = 77')).toEqual([{ person_id: '377', status: 'ACTIVE' }]);
    const id = await fixture.orderIn('SUBMITTED');
    await fixture.must('dispatchOrder', { orderId: id, stationId: '7' }, 'dispatcher');
    await run(envelope('org.unit.moved', { unitId: '7', oldPath: '1/3/7', newPath: '1/2/7', oldParentId: '3', newParentId: '2' }));
    expect(await fixture.query('SELECT station_path, scope_path FROM service_order WHERE id = $1', [id])).toEqual([{ station_path: '1/2/7', scope_path: '1/2/7' }]);
    await run(envelope('org.unit.moved', { unitId: '7', oldPath: '1/2/7', newPath: '1/3/7', oldParentId: '2', newParentId: '3' }));
    expect(as.service.roles).toEqual(['SERVICE']);
  });
});
