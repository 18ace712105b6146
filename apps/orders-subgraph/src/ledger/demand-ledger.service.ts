import type { DataSource } from 'typeorm';
import type { Actor, Role } from '@kz/auth';
import { hydrate } from '@kz/db';
import { beijingMinute, fields, parseInput, toCsv } from '@kz/subgraph';
import { z } from 'zod';
import type { OrdersLoaders } from '../loaders';
import { unknownUnit } from '../orders/order.errors';
import { ServiceOrder } from '../orders/order.entity';
import { CATEGORY_ZH, OUTCOME_ZH, STATUS_ZH } from '../orders/order-statuses';

/** Staff who keep or read a subtree's demand ledger (analysts included: the ledger holds no personal data). */
export const LEDGER_READERS: Role[] = ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'GRID_WORKER', 'ANALYST', 'DISPATCHER', 'CENTER_ADMIN'];

const ledgerArgs = z.object({ unitId: fields.id(), from: z.date().nullish(), to: z.date().nullish() });

const HEADER = ['订单编号', '类别', '需求', '状态', '所需资源', '落实经费（元）', '经费来源', '办理结果', '评分', '提交时间', '送达时间'];

/**
 * 需求台账: the orders a station (or a subtree) has taken on — accepted at some point — with the resources and
 * funding arranged, oldest first, also as CSV. For staff in scope of the unit.
 */
export class DemandLedgerService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: OrdersLoaders,
  ) {}

  async ledger(raw: unknown) {
    this.actor.requireRole(...LEDGER_READERS);
    const args = parseInput(ledgerArgs, raw, 'args');
    const unit = await this.loaders.unitRefById.load(args.unitId);
    if (!unit) throw unknownUnit('unitId', args.unitId);
    this.actor.requireScope(unit.path, ...LEDGER_READERS);
    const rows = await this.dataSource.query(
      `SELECT o.* FROM service_order o
        WHERE (o.station_path = $1 OR o.station_path LIKE $1 || '/%') AND o.accepted_at IS NOT NULL
          AND ($2::timestamptz IS NULL OR o.created_at >= $2) AND ($3::timestamptz IS NULL OR o.created_at < $3)
        ORDER BY o.created_at, o.id`,
      [unit.path, args.from ?? null, args.to ?? null],
    );
    const orders = hydrate(this.dataSource.manager, ServiceOrder, rows);
    for (const order of orders) this.loaders.orderById.prime(order.id, order);
    const lines = orders.map((order) => ({
      order,
      code: order.code,
      category: order.category,
      title: order.title,
      status: order.status,
      resourcesNeeded: order.resourcesNeeded,
      fundingArranged: order.fundingArranged,
      fundingSource: order.fundingSource,
      outcome: order.outcome,
      rating: order.rating,
      submittedAt: order.createdAt,
      deliveredAt: order.deliveredAt,
    }));
    return {
      unit: { __typename: 'PracticeUnit', id: unit.id },
      rows: lines,
      totalFunding: lines.reduce((sum, line) => sum + (line.fundingArranged ?? 0), 0),
      csv: () =>
        toCsv(
          HEADER,
          lines.map((line) => [
            line.code,
            CATEGORY_ZH[line.category],
            line.title,
            STATUS_ZH[line.status],
            line.resourcesNeeded,
            line.fundingArranged,
            line.fundingSource,
            line.outcome ? OUTCOME_ZH[line.outcome] : null,
            line.rating,
            beijingMinute(line.submittedAt),
            beijingMinute(line.deliveredAt),
          ]),
        ),
    };
  }
}
