import { randomUUID } from 'node:crypto';
import type { EventEnvelope, EventHandler } from '@kz/events';
import { ordersInboxHandlers } from '../inbox';
import { OrdersFixture, startOrdersFixture, VOLUNTEER_HE_YI } from '../testing/orders-fixture';
import { upsertVolunteerRefs } from './volunteer-ref';

/** A closed account (`person.account.closed`) in the orders service: the volunteer replica reads CLOSED, for good. */
let fixture: OrdersFixture;

beforeAll(async () => {
  fixture = await startOrdersFixture();
});
afterAll(() => fixture?.stop());

const CLOSING = '33';

function closed(occurredAt = new Date()): EventEnvelope<'person.account.closed'> {
  return {
    id: randomUUID(),
    type: 'person.account.closed',
    version: 1,
    occurredAt: occurredAt.toISOString(),
    actor: { personId: '303', roles: ['RESIDENT', 'VOLUNTEER'] },
    unitPath: '1/2/5',
    payload: { personId: '303', homeUnitId: '5', volunteerId: CLOSING, stationId: '5' },
  };
}

const run = (event: EventEnvelope) => (ordersInboxHandlers(fixture.alone.running.dataSource, fixture.alone.config)[event.type] as EventHandler)(event, {} as never);
const statusOf = async (id: string) => (await fixture.query<{ status: string }>('SELECT status FROM volunteer_ref WHERE id = $1', [id]))[0]?.status;

it('marks the volunteer CLOSED once, and an older decision arriving late does not reopen them', async () => {
  await fixture.alone.running.dataSource.transaction((manager) =>
    upsertVolunteerRefs(manager, [{ id: CLOSING, personId: '303', status: 'ACTIVE', stationId: '5' }], new Date(0).toISOString()),
  );
  const event = closed();
  await Promise.all([run(event), run(event)]);
  expect(await statusOf(CLOSING)).toBe('CLOSED');
  const lateApproval: EventEnvelope<'volunteer.reinstated'> = {
    ...closed(new Date(Date.now() - 60_000)),
    id: randomUUID(),
    type: 'volunteer.reinstated',
    payload: { volunteerId: CLOSING, personId: '303', stationId: '5' },
  };
  await run(lateApproval);
  expect(await statusOf(CLOSING)).toBe('CLOSED');
});

it('refuses to assign a closed volunteer to an order, naming them, and assigns nobody', async () => {
  const id = await fixture.orderIn('DISPATCHED');
  await fixture.must('acceptOrder', { orderId: id }, 'stationAdmin');
  const refused = await fixture.mutate('assignVolunteers', { orderId: id, volunteerIds: [VOLUNTEER_HE_YI, CLOSING] }, 'stationAdmin');
  expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.volunteerIds.1' });
  expect(await fixture.query('SELECT volunteer_id FROM order_assignee WHERE order_id = $1', [id])).toEqual([]);
  await fixture.must('assignVolunteers', { orderId: id, volunteerIds: [VOLUNTEER_HE_YI] }, 'stationAdmin');
});
