import type { DataSource } from 'typeorm';
import { PhotoConfig, Photos } from '@kz/auth';
import type { SubgraphContext } from '@kz/subgraph';
import { CarePlanService } from './care-plans/care-plan.service';
import { DemandLedgerService } from './ledger/demand-ledger.service';
import { OrderStatsService } from './ledger/order-stats';
import { createLoaders, OrdersLoaders } from './loaders';
import type { StageMinutes } from './orders/deadlines';
import { OrderAccess } from './orders/order-access';
import { OrderMoves } from './orders/order-moves.service';
import { OrderService } from './orders/order.service';
import { DueTimersService } from './timers/due-timers';

export interface OrdersContext extends SubgraphContext {
  loaders: OrdersLoaders;
  access: OrderAccess;
  orders: OrderService;
  moves: OrderMoves;
  carePlans: CarePlanService;
  ledger: DemandLedgerService;
  stats: OrderStatsService;
  photos: Photos;
  dueTimers: DueTimersService;
}

export function buildOrdersContext(base: SubgraphContext, dataSource: DataSource, minutes: StageMinutes & PhotoConfig): OrdersContext {
  const loaders = createLoaders(dataSource.manager);
  const access = new OrderAccess(base.actor, dataSource.manager, loaders);
  const eventsWritten = () => base.eventsWritten();
  const photos = new Photos(minutes);
  return {
    ...base,
    loaders,
    access,
    orders: new OrderService(dataSource, base.actor, loaders, access),
    moves: new OrderMoves(dataSource, base.actor, loaders, access, minutes, eventsWritten, photos),
    carePlans: new CarePlanService(dataSource, base.actor, loaders, access, minutes, eventsWritten),
    ledger: new DemandLedgerService(dataSource, base.actor, loaders),
    stats: new OrderStatsService(base.actor, loaders),
    photos,
    dueTimers: new DueTimersService(dataSource, base.actor, minutes),
  };
}
