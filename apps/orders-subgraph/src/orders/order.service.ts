import type { Actor } from '@kz/auth';
import { Connection, isBigintId, PageArgs, readPage, toConnection } from '@kz/subgraph';
import type { OrdersLoaders } from '../loaders';
import type { ServiceOrder } from './order.entity';

/**
 * Reads of service orders. For now any authenticated caller may read them; who sees which orders (`ROLES.md`)
 * arrives with the lifecycle.
 */
export class OrderService {
  constructor(
    private readonly actor: Actor,
    private readonly loaders: OrdersLoaders,
  ) {}

  async get(id: string): Promise<ServiceOrder | null> {
    this.actor.requireAuthenticated();
    return isBigintId(id) ? this.loaders.orderById.load(id) : null;
  }

  /** Orders dispatched to `stationId`, in id order. */
  async listByStation(stationId: string, args: PageArgs): Promise<Connection<ServiceOrder>> {
    this.actor.requireAuthenticated();
    const page = readPage(args, 'order');
    if (!isBigintId(stationId)) return toConnection<ServiceOrder>([], page, 'order', (row) => row.id, async () => 0);
    const rows = await this.loaders.ordersByStation.load({ parentId: stationId, page });
    return toConnection(rows, page, 'order', (row) => row.id, () => this.loaders.orderCountByStation.load(stationId));
  }
}
