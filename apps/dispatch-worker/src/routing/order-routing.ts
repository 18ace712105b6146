import type { EventHandlers, Queues } from '@kz/events';
import type { Logger } from '@kz/telemetry';
import type { OrdersApi } from '../orders-api';
import { RefusedCall } from '@kz/worker';
import { nearestStation, StationDirectory } from './stations';

/** How long the worker remembers which delivery of a submission routes the order (longer than any redelivery). */
const ROUTED_TTL_SECONDS = 30 * 24 * 3600;

/**
 * Auto-dispatch. With AUTO_DISPATCH on, a new order with a location goes to the nearest station on the map
 * (`dispatchOrder` as SERVICE); without a location, or with auto-dispatch off, it waits for the center's dispatcher.
 *
 * An order is routed once: the first delivery of its submission claims it, so a redelivery (even a late one, after
 * a station returned the order to the center) never dispatches it again. A refusal about the station or the
 * order (NOT_FOUND, BAD_USER_INPUT) leaves the order to the dispatcher, logged; INVALID_TRANSITION means the order was
 * dispatched (or cancelled) meanwhile.
 */
export function orderRoutingHandlers(deps: {
  queues: Queues;
  autoDispatch: boolean;
  stations: StationDirectory;
  orders: OrdersApi;
  log: Logger;
}): EventHandlers {
  const { queues, stations, orders, log } = deps;
  const routedKey = (orderId: string) => `${queues.prefix}:dispatch-routed:${orderId}`;

  return {
    'order.submitted': async (event) => {
      const { orderId, location } = event.payload;
      if (!deps.autoDispatch || !location) return;
      // The first delivery of the submission claims the order; its retries carry the same event id and go on.
      const store = queues.backend.store;
      const claimed = await store.set(routedKey(orderId), event.id, ROUTED_TTL_SECONDS * 1000, { onlyIfAbsent: true });
      if (!claimed && (await store.get(routedKey(orderId))) !== event.id) return;

      const station = nearestStation(await stations.stations(), location);
      if (!station) {
        log.warn({ orderId }, 'no station on the map: the order waits for the dispatcher');
        await store.del(routedKey(orderId)); // unclaimed: a redelivery once stations are on the map may route it
        return;
      }
      try {
        const result = await orders.dispatchOrder(orderId, station.id);
        if (!result.done) log.info({ orderId, reason: result.movedOn }, 'order already dispatched or closed: not routed');
      } catch (error) {
        if (!(error instanceof RefusedCall) || !error.codes.some((code) => code === 'NOT_FOUND' || code === 'BAD_USER_INPUT')) throw error;
        // Perhaps a station closed since the list was read: read it afresh next time.
        stations.invalidate();
        log.warn({ orderId, stationId: station.id, err: error.message }, 'auto-dispatch refused: the order waits for the dispatcher');
      }
      // Settled: no delivery of the submission, not even this one sent again later, routes the order again.
      await store.set(routedKey(orderId), 'settled', ROUTED_TTL_SECONDS * 1000);
    },
  };
}
