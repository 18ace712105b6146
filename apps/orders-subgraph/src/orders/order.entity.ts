import { Column, Entity, PrimaryColumn } from 'typeorm';
import type {
  OrderAction,
  OrderCategory,
  OrderChannel,
  OrderOutcome,
  OrderSource,
  OrderStatus,
  Resolution,
  SpecialGroup,
  Urgency,
} from './order-statuses';

/**
 * A service order. `stationPath` copies the station's path and `requesterHomePath` the requester's home station's,
 * so scope checks need no call to org; `scopePath` (generated) is the first of the two that is set. Person ids are
 * kept as text: they are the `sub` of whoever acted, which for people is the volunteers subgraph's person id.
 */
@Entity({ name: 'service_order' })
export class ServiceOrder {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text', unique: true })
  code!: string;

  @Column({ type: 'text' })
  source!: OrderSource;

  @Column({ type: 'text' })
  channel!: OrderChannel;

  @Column({ type: 'text' })
  category!: OrderCategory;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'text', nullable: true })
  address!: string | null;

  @Column({ type: 'double precision', nullable: true })
  lat!: number | null;

  @Column({ type: 'double precision', nullable: true })
  lng!: number | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  photos!: string[];

  @Column({ name: 'requester_person_id', type: 'text', nullable: true })
  requesterPersonId!: string | null;

  @Column({ name: 'placed_by_person_id', type: 'text', nullable: true })
  placedByPersonId!: string | null;

  @Column({ name: 'requester_home_path', type: 'text', nullable: true })
  requesterHomePath!: string | null;

  @Column({ name: 'beneficiary_name', type: 'text', nullable: true })
  beneficiaryName!: string | null;

  @Column({ name: 'beneficiary_phone', type: 'text', nullable: true })
  beneficiaryPhone!: string | null;

  @Column({ name: 'special_group', type: 'text' })
  specialGroup!: SpecialGroup;

  @Column({ type: 'text' })
  urgency!: Urgency;

  @Column({ type: 'text', default: 'SUBMITTED' })
  status!: OrderStatus;

  @Column({ name: 'station_id', type: 'bigint', nullable: true })
  stationId!: string | null;

  @Column({ name: 'station_path', type: 'text', nullable: true })
  stationPath!: string | null;

  @Column({ name: 'scope_path', type: 'text', nullable: true, insert: false, update: false })
  scopePath!: string | null;

  @Column({ name: 'resources_needed', type: 'text', nullable: true })
  resourcesNeeded!: string | null;

  @Column({ name: 'funding_arranged', type: 'int', nullable: true })
  fundingArranged!: number | null;

  @Column({ name: 'funding_source', type: 'text', nullable: true })
  fundingSource!: string | null;

  @Column({ name: 'accept_by', type: 'timestamptz', nullable: true })
  acceptBy!: Date | null;

  @Column({ name: 'deliver_by', type: 'timestamptz', nullable: true })
  deliverBy!: Date | null;

  @Column({ name: 'evaluate_by', type: 'timestamptz', nullable: true })
  evaluateBy!: Date | null;

  @Column({ name: 'dispatched_at', type: 'timestamptz', nullable: true })
  dispatchedAt!: Date | null;

  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt!: Date | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @Column({ name: 'evaluated_at', type: 'timestamptz', nullable: true })
  evaluatedAt!: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  outcome!: OrderOutcome | null;

  @Column({ name: 'delivery_note', type: 'text', nullable: true })
  deliveryNote!: string | null;

  /** 条例 Art. 19: the latest delivery was declared staff duty, not volunteer service (no service records). */
  @Column({ name: 'staff_duty', type: 'boolean', default: false })
  staffDuty!: boolean;

  @Column({ type: 'int', nullable: true })
  rating!: number | null;

  @Column({ type: 'text', nullable: true })
  resolved!: Resolution | null;

  @Column({ type: 'text', nullable: true })
  comment!: string | null;

  @Column({ name: 'return_count', type: 'int', default: 0 })
  returnCount!: number;

  @Column({ name: 'care_plan_id', type: 'bigint', nullable: true })
  carePlanId!: string | null;

  @Column({ name: 'visit_due_at', type: 'timestamptz', nullable: true })
  visitDueAt!: Date | null;

  @Column({ name: 'visit_missed', type: 'boolean', default: false })
  visitMissed!: boolean;

  @Column({ name: 'redemption_id', type: 'text', nullable: true })
  redemptionId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/** A volunteer assigned to an order (the minutes they serve are kept per delivery round, `OrderDelivery`). */
@Entity({ name: 'order_assignee' })
export class OrderAssignee {
  @PrimaryColumn({ name: 'order_id', type: 'bigint' })
  orderId!: string;

  @PrimaryColumn({ name: 'volunteer_id', type: 'bigint' })
  volunteerId!: string;

  @Column({ name: 'assigned_at', type: 'timestamptz', default: () => 'now()' })
  assignedAt!: Date;
}

/** Minutes one volunteer served in one delivery round (a row of `order_delivery_minutes`). */
export interface RoundMinutes {
  volunteerId: string;
  minutes: number;
}

/**
 * One delivery (送单) of an order: round 1 is the first, and each delivery after a reopening (an evaluation of NO)
 * is the next. A round keeps what was delivered, the minutes each volunteer served in it and, once given, the
 * requester's evaluation of it; a later round never changes an earlier one.
 */
@Entity({ name: 'order_delivery' })
export class OrderDelivery {
  @PrimaryColumn({ name: 'order_id', type: 'bigint' })
  orderId!: string;

  @PrimaryColumn({ type: 'int' })
  round!: number;

  @Column({ name: 'delivered_at', type: 'timestamptz' })
  deliveredAt!: Date;

  @Column({ type: 'text' })
  outcome!: OrderOutcome;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ type: 'int', nullable: true })
  rating!: number | null;

  @Column({ type: 'text', nullable: true })
  resolved!: Resolution | null;

  @Column({ type: 'text', nullable: true })
  comment!: string | null;

  @Column({ name: 'evaluated_at', type: 'timestamptz', nullable: true })
  evaluatedAt!: Date | null;

  /** Not a column: the round's rows of `order_delivery_minutes`, by volunteer id, loaded with it. */
  minutes!: RoundMinutes[];
}

/** One line of an order's timeline: who, in which role and for which unit, did what, when, with what note. */
@Entity({ name: 'order_event' })
export class OrderEvent {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'order_id', type: 'bigint' })
  orderId!: string;

  @Column({ type: 'text' })
  action!: OrderAction;

  @Column({ name: 'from_status', type: 'text', nullable: true })
  fromStatus!: OrderStatus | null;

  @Column({ name: 'to_status', type: 'text', nullable: true })
  toStatus!: OrderStatus | null;

  @Column({ name: 'actor_person_id', type: 'text', nullable: true })
  actorPersonId!: string | null;

  @Column({ name: 'actor_role', type: 'text' })
  actorRole!: string;

  @Column({ name: 'actor_unit_id', type: 'bigint', nullable: true })
  actorUnitId!: string | null;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ type: 'timestamptz' })
  at!: Date;
}
