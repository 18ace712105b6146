import type { EventPayload } from '@kz/events';
import { graphqlError } from '../testing/fake-subgraphs';
import { anEvent, eventually, Harness, nextId, quietFor } from '../testing/harness';
import { haversineKm, nearestStation } from './stations';

/** Three stations around 开州 and many far away in the list before them (the list has several pages). */
const YINGBIN = { id: '301', lat: 31.1608, lng: 108.3931 };
const TENGLONG = { id: '302', lat: 31.1802, lng: 108.4205 };
const ZHAOJIA = { id: '303', lat: 31.0409, lng: 108.2931 };
const FAR_AWAY = Array.from({ length: 150 }, (_, i) => ({ id: String(1000 + i), lat: 39 + i / 1000, lng: 116 }));

const submitted = (orderId: string, location: { lat: number; lng: number } | null) => {
  const payload: EventPayload<'order.submitted'> = {
    orderId,
    code: `KZ-20261128-${orderId}`,
    source: 'RESIDENT',
    category: 'SAFETY_FACILITIES',
    specialGroup: 'NONE',
    location,
    urgency: 'NORMAL',
  };
  return anEvent('order.submitted', payload);
};

describe('nearest station', () => {
  it('measures great-circle distances', () => {
    // 北京 – 上海: about 1,068 km.
    expect(haversineKm({ lat: 39.9042, lng: 116.4074 }, { lat: 31.2304, lng: 121.4737 })).toBeCloseTo(1068, -1);
    expect(haversineKm(YINGBIN, YINGBIN)).toBe(0);
  });

  it('picks the closest station, the lower id on a tie, and none from an empty map', () => {
    const stations = [ZHAOJIA, TENGLONG, YINGBIN].map(({ id, lat, lng }) => ({ id, location: { lat, lng } }));
    expect(nearestStation(stations, { lat: 31.178, lng: 108.418 })?.id).toBe('302');
    expect(nearestStation(stations, { lat: 31.05, lng: 108.3 })?.id).toBe('303');
    const twins = [
      { id: '9', location: { lat: 31, lng: 108 } },
      { id: '8', location: { lat: 31, lng: 108 } },
    ];
    expect(nearestStation(twins, { lat: 31.1, lng: 108 })?.id).toBe('8');
    expect(nearestStation([], { lat: 31, lng: 108 })).toBeUndefined();
  });
});

describe('auto-dispatch', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await Harness.start({ AUTO_DISPATCH: 'true' });
    harness.fake.stations = [...FAR_AWAY, YINGBIN, TENGLONG, ZHAOJIA];
    await harness.replica();
  });

  afterAll(() => harness.stop());

  const dispatches = (orderId: string) =>
    harness.fake.callsOf('dispatchOrder').filter((call) => (call.variables.input as { orderId: string }).orderId === orderId);

  it('dispatches a located order to the nearest station, reading the station list once for many orders', async () => {
    const first = nextId();
    const second = nextId();
    const events = [submitted(first, { lat: 31.1785, lng: 108.4188 }), submitted(second, { lat: 31.045, lng: 108.3 })];
    for (const event of events) {
      await harness.publish(event);
      expect(await harness.settled(event)).toBe('completed');
    }
    expect(dispatches(first).map((call) => call.variables.input)).toEqual([{ orderId: first, stationId: TENGLONG.id }]);
    expect(dispatches(second).map((call) => call.variables.input)).toEqual([{ orderId: second, stationId: ZHAOJIA.id }]);
    expect(dispatches(first)[0]!.claims).toEqual({ sub: 'dispatch-worker', roles: ['SERVICE'] });
    expect(harness.fake.callsOf('units')).toHaveLength(2); // 153 stations: two pages, read once
  });

  it('routes an order once however often its submission arrives', async () => {
    const orderId = nextId();
    const copies = [1, 2, 3].map(() => submitted(orderId, { lat: 31.16, lng: 108.39 }));
    for (const copy of copies) {
      await harness.publish(copy);
      await harness.settled(copy);
    }
    expect(dispatches(orderId)).toHaveLength(1);
    expect(dispatches(orderId)[0]!.variables.input).toEqual({ orderId, stationId: YINGBIN.id });
  });

  it('routes an order once even when its copies are handled at the same time', async () => {
    const orderId = nextId();
    const copies = [1, 2, 3].map(() => submitted(orderId, { lat: 31.16, lng: 108.39 }));
    await Promise.all(copies.map((copy) => harness.publish(copy)));
    for (const copy of copies) await harness.settled(copy);
    expect(dispatches(orderId)).toHaveLength(1);
  });

  it('leaves an order without a location to the dispatcher', async () => {
    const orderId = nextId();
    const event = submitted(orderId, null);
    await harness.publish(event);
    expect(await harness.settled(event)).toBe('completed');
    expect(dispatches(orderId)).toHaveLength(0);
  });

  it('leaves the order to the dispatcher when the orders service does not know the station, and reads the stations afresh', async () => {
    const orderId = nextId();
    const unitsBefore = harness.fake.callsOf('units').length;
    harness.fake.script('dispatchOrder', 1, () => graphqlError('NOT_FOUND', 'no such station'));
    const event = submitted(orderId, { lat: 31.16, lng: 108.39 });
    await harness.publish(event);
    expect(await harness.settled(event)).toBe('completed');
    expect(dispatches(orderId)).toHaveLength(1);

    const next = submitted(nextId(), { lat: 31.16, lng: 108.39 });
    await harness.publish(next);
    await harness.settled(next);
    expect(harness.fake.callsOf('units').length).toBe(unitsBefore + 2);
  });

  it('takes INVALID_TRANSITION as an order dispatched meanwhile', async () => {
    const orderId = nextId();
    harness.fake.statuses.set(orderId, 'DISPATCHED'); // the dispatcher was quicker
    const event = submitted(orderId, { lat: 31.16, lng: 108.39 });
    await harness.publish(event);
    expect(await harness.settled(event)).toBe('completed');
    expect(dispatches(orderId)).toHaveLength(1);
    expect(harness.fake.effects.filter((effect) => effect.startsWith(`dispatch:${orderId}:`))).toEqual([]);
  });
});

describe('auto-dispatch turned off', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await Harness.start({ AUTO_DISPATCH: 'false' });
    harness.fake.stations = [YINGBIN];
    await harness.replica();
  });

  afterAll(() => harness.stop());

  it('leaves every order to the dispatcher', async () => {
    const event = submitted(nextId(), { lat: 31.16, lng: 108.39 });
    await harness.publish(event);
    expect(await harness.settled(event)).toBe('completed');
    await quietFor(50);
    // Only the timer reconciliation's reads at the worker's start (timer-reconciler.ts); nothing about the order.
    expect(harness.fake.calls.map((call) => call.operation)).toEqual(['dueTimers', 'redemptionExpiries']);
  });
});

describe('routing while the org subgraph is away', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await Harness.start();
    harness.fake.stations = [YINGBIN];
    await harness.replica();
  });

  afterAll(() => harness.stop());

  it('retries the order until the station list can be read', async () => {
    const orderId = nextId();
    harness.fake.script('units', 1, () => ({ status: 503, body: 'upstream unavailable' }));
    const event = submitted(orderId, { lat: 31.16, lng: 108.39 });
    await harness.publish(event);
    expect(await harness.settled(event, 15_000)).toBe('completed');
    const job = await harness.queues.get('dispatch').getJob(event.id);
    expect(job?.attemptsMade).toBeGreaterThanOrEqual(2);
    await eventually(async () => (harness.fake.callsOf('dispatchOrder').length === 1 ? true : undefined));
  });
});
