import { errorCodes } from '@kz/testing';
import { OrdersFixture, startOrdersFixture, VOLUNTEER_HE_YI } from '../testing/orders-fixture';

/**
 * A move holds its order's row lock on one pool connection; anything it read on a second connection meanwhile would
 * starve the pool when many moves of one order queue on that lock (each waiting mover holds a connection, the lock
 * holder waits for one more). With a pool of two connections and several moves at once, such a second read hangs
 * until the pool's acquire timeout and the moves answer SERVICE_UNAVAILABLE. (Two, not one: the subgraph does not
 * start on a single connection.)
 */
let fixture: OrdersFixture;

beforeAll(async () => {
  fixture = await startOrdersFixture({ PG_POOL_MAX: '2' });
});
afterAll(() => fixture?.stop());

it('makes every move of an order, the assignee’s included, on the one connection that holds its lock', async () => {
  const id = await fixture.orderIn('DISPATCHED');
  await fixture.must('acceptOrder', { orderId: id }, 'stationAdmin');
  await fixture.must('assignVolunteers', { orderId: id, volunteerIds: [VOLUNTEER_HE_YI] }, 'stationAdmin');
  // The assigned volunteer and the station's admin at once: one start succeeds, the rest are refused by state.
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) => fixture.mutate('startService', { orderId: id }, i % 2 === 0 ? 'volunteer' : 'stationAdmin')),
  );
  const codes = results.map((result) => errorCodes(result).join(',') || 'OK').sort();
  expect(codes).toEqual(['INVALID_TRANSITION', 'INVALID_TRANSITION', 'INVALID_TRANSITION', 'INVALID_TRANSITION', 'INVALID_TRANSITION', 'INVALID_TRANSITION', 'INVALID_TRANSITION', 'OK']);
  const delivered = await fixture.must(
    'deliverOrder',
    { orderId: id, note: '完成', outcome: 'FULL', minutes: [{ volunteerId: VOLUNTEER_HE_YI, minutes: 30 }] },
    'volunteer',
    'id status',
  );
  expect(delivered).toMatchObject({ status: 'DELIVERED' });
});
