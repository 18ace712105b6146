import type { DataSource } from 'typeorm';
import { EventHandlers, handleOnce } from '@kz/events';
import { findUnit } from '@kz/org-replica';
import { stageDeadline, StageMinutes } from './deadlines';
import type { OrderCategory } from './order-statuses';
import { insertDispatchedOrder } from './order-writer';

const CONSUMER = 'orders.service-redeemed';

/** Care of the elderly by the reward's name (上门助老服务, 陪护, 助餐…); anything else is OTHER. */
export function categoryOfReward(description: string): OrderCategory {
  return /助老|养老|敬老|老人|陪护|陪伴|助餐|elder/i.test(description) ? 'ELDERLY_CARE' : 'OTHER';
}

/** Thrown while the station is not in the unit replica yet: the event is retried once the org event arrived. */
export class StationNotReplicated extends Error {
  constructor(stationId: string) {
    super(`station ${stationId} is not in the unit replica yet`);
    this.name = 'StationNotReplicated';
  }
}

/**
 * A service bought with love-bank points (`points.service.redeemed`) becomes a resident's order, already dispatched to
 * the station offering the service. Once per redemption, however often the event arrives.
 */
export function redeemedServiceHandlers(dataSource: DataSource, minutes: StageMinutes): EventHandlers {
  return {
    'points.service.redeemed': async (event) => {
      await handleOnce(dataSource, CONSUMER, event, async (manager) => {
        const { redemptionId, personId, stationId, description } = event.payload;
        // Two deliveries of the redemption (e.g. a re-sent event with another id) take turns here.
        await manager.query(`SELECT pg_advisory_xact_lock(hashtext('orders.redemption:' || $1))`, [redemptionId]);
        const [existing] = await manager.query('SELECT 1 FROM service_order WHERE redemption_id = $1', [redemptionId]);
        if (existing) return;
        const station = await findUnit(manager, stationId);
        if (!station) throw new StationNotReplicated(stationId);
        const title = [...description.trim()].slice(0, 100).join('') || '积分兑换服务';
        await insertDispatchedOrder(
          manager,
          {
            source: 'RESIDENT',
            channel: 'APP',
            category: categoryOfReward(description),
            title,
            description: `爱心银行积分兑换（兑换编号 ${redemptionId}）`,
            requesterPersonId: personId,
            requesterHomePath: station.path,
            urgency: 'NORMAL',
            redemptionId,
          },
          station,
          { event: event.actor, personId, role: 'RESIDENT', unitId: null },
          (now) => stageDeadline(minutes, 'ACCEPT', 'NORMAL', now),
        );
      });
    },
  };
}
