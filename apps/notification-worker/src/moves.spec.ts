import { UNIT_MOVES_CONSUMER } from '@kz/notifications';
import { anEvent, Harness } from './testing/harness';
import { anOrder, P } from './testing/world';

/**
 * `org.unit.moved` on the `notifications` queue: the stored unit paths (the dead-letter scope of institute and
 * station admins) follow the unit, once per event, and only the unit's own subtree moves.
 */
describe('a unit move', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await Harness.start();
    await harness.replica();
  });

  afterAll(() => harness?.stop());

  /** A dispatched order under `unitPath` whose resident has no phone: two notifications, the SMS a dead letter at once. */
  async function deadLetterAt(unitPath: string): Promise<string> {
    const order = anOrder(harness.fake, { requester: P.noPhone });
    const event = anEvent('order.dispatched', { orderId: order.id, stationId: '123' }, { actor: { personId: P.dispatcher, roles: ['DISPATCHER'] }, unitPath });
    await harness.publish(event);
    expect(await harness.settled(event.id)).toBe('completed');
    const deliveries = await harness.deliveriesOf(event.id);
    expect(deliveries.map((row) => row.status)).toEqual(['DEAD']);
    return event.id;
  }

  const pathsOf = async (eventId: string): Promise<(string | null)[]> =>
    (await harness.db.query('SELECT unit_path FROM notification WHERE event_id = $1 ORDER BY id', [eventId])).map((row: { unit_path: string | null }) => row.unit_path);

  it('moves the paths of the unit and below it to the new parent, once, leaving look-alike paths alone', async () => {
    const station = await deadLetterAt('1/7/123');
    const point = await deadLetterAt('1/7/123/1230');
    const lookAlike = await deadLetterAt('1/7/1234');
    const sibling = await deadLetterAt('1/7/124');
    const elsewhere = await deadLetterAt('1/8/200');

    const move = anEvent(
      'org.unit.moved',
      { unitId: '123', oldPath: '1/7/123', newPath: '1/8/123', oldParentId: '7', newParentId: '8' },
      { actor: { personId: P.centerAdmin, roles: ['CENTER_ADMIN'] }, unitPath: '1/8/123' },
    );
    await harness.publish(move);
    expect(await harness.settled(move.id)).toBe('completed');

    expect(await pathsOf(station)).toEqual(['1/8/123', '1/8/123']);
    expect(await pathsOf(point)).toEqual(['1/8/123/1230', '1/8/123/1230']);
    expect(await pathsOf(lookAlike)).toEqual(['1/7/1234', '1/7/1234']);
    expect(await pathsOf(sibling)).toEqual(['1/7/124', '1/7/124']);
    expect(await pathsOf(elsewhere)).toEqual(['1/8/200', '1/8/200']);

    // A late message still carrying the old path, then the same move delivered again: the move is not applied twice.
    const late = await deadLetterAt('1/7/123');
    await harness.publish(move, `${move.id}-again`);
    expect(await harness.settled(`${move.id}-again`)).toBe('completed');
    expect(await pathsOf(late)).toEqual(['1/7/123', '1/7/123']);
    expect(await pathsOf(station)).toEqual(['1/8/123', '1/8/123']);
    expect(await harness.db.query('SELECT count(*)::int AS n FROM processed_event WHERE consumer = $1 AND event_id = $2', [UNIT_MOVES_CONSUMER, move.id])).toEqual([{ n: 1 }]);
  });

  it('notifies nobody', async () => {
    const before = await harness.db.query('SELECT count(*)::int AS n FROM notification');
    const move = anEvent('org.unit.moved', { unitId: '200', oldPath: '1/8/200', newPath: '1/7/200', oldParentId: '8', newParentId: '7' });
    await harness.publish(move);
    expect(await harness.settled(move.id)).toBe('completed');
    expect(await harness.notificationsOf(move.id)).toEqual([]);
    expect(await harness.db.query('SELECT count(*)::int AS n FROM notification')).toEqual(before);
  });
});
