import { createRng, hashString } from './prng';
import type { SeedProfile } from './types';
import { spread, type VolunteeringDataset } from './volunteers';

/** Statuses and timeline actions as the orders subgraph names them (`apps/orders-subgraph/src/orders/order-statuses.ts`). */
export type SeedOrderStatus = 'SUBMITTED' | 'DISPATCHED' | 'ACCEPTED' | 'IN_PROGRESS' | 'DELIVERED' | 'EVALUATED' | 'CLOSED' | 'CANCELLED';
export type SeedOrderAction = 'SUBMITTED' | 'DISPATCHED' | 'ACCEPTED' | 'ASSIGNED' | 'STARTED' | 'DELIVERED' | 'EVALUATED' | 'CLOSED' | 'CANCELLED';
export type SeedUrgency = 'LOW' | 'NORMAL' | 'HIGH' | 'URGENT';

/** Who made a move: the requester, the station's staff, or the system (auto-dispatch, closing). */
export type SeedActor = 'REQUESTER' | 'STATION' | 'SYSTEM';

export interface SeedOrderEvent {
  action: SeedOrderAction;
  from: SeedOrderStatus | null;
  to: SeedOrderStatus;
  actor: SeedActor;
  at: string;
}

/** One service order of the history. Natural key: `code` (`KZ-YYYYMMDD-NNNN`, numbered per Asia/Shanghai day). */
export interface SeedOrder {
  code: string;
  stationCode: string;
  channel: 'APP' | 'WECHAT' | 'MINI_PROGRAM' | 'PHONE' | 'OFFLINE';
  category: string;
  title: string;
  description: string;
  specialGroup: 'EMPTY_NEST_ELDERLY' | 'LEFT_BEHIND_CHILD' | 'DISABLED' | 'NONE';
  urgency: SeedUrgency;
  status: SeedOrderStatus;
  /** Mobile of the resident who placed it (a person of the station: the kaizhou people are its volunteers). */
  requesterMobile: string;
  /** Mobiles of the volunteers assigned (active volunteers of the station), with the minutes each served once delivered. */
  assignees: { mobile: string; minutes: number | null }[];
  createdAt: string;
  dispatchedAt: string | null;
  acceptedAt: string | null;
  startedAt: string | null;
  deliveredAt: string | null;
  evaluatedAt: string | null;
  closedAt: string | null;
  cancelledAt: string | null;
  acceptBy: string | null;
  deliverBy: string | null;
  evaluateBy: string | null;
  outcome: 'FULL' | 'PARTIAL' | null;
  deliveryNote: string | null;
  rating: number | null;
  resolved: 'YES' | 'PARTLY' | null;
  comment: string | null;
  timeline: SeedOrderEvent[];
}

/** A points account the seed opens, credited once with the points its holder earned before the platform. */
export interface SeedPointsAccount {
  mobile: string;
  stationCode: string;
  /** The opening credit (whole points). */
  points: number;
  /** Natural key of the credit: a uuid derived from the mobile, stored as the transaction's `source_event_id`. */
  creditKey: string;
}

export interface OrdersDataset {
  orders: SeedOrder[];
  accounts: SeedPointsAccount[];
}

const TOTAL_ORDERS = 11_800;
const REFERENCE_DAY = Date.UTC(2026, 10, 1); // the history ends on 2026-11-01, as the activities' does
const DAY = 24 * 3600 * 1000;
const MINUTE = 60_000;
/** Orders of the last days before the reference day may still be open; older ones are history. */
const RECENT_DAYS = 12;
/** The orders subgraph's default stage times (ORDER_*_MINUTES) and urgency factors. */
const STAGE_MINUTES = { ACCEPT: 240, DELIVER: 4320, EVALUATE: 10080 };
const URGENCY_FACTOR: Record<SeedUrgency, number> = { URGENT: 0.25, HIGH: 0.5, NORMAL: 1, LOW: 2 };

const ORDER_KINDS: { category: string; titles: string[]; descriptions: string[] }[] = [
  { category: 'SAFETY_FACILITIES', titles: ['健身器材损坏', '楼道灯不亮', '消防通道堆放杂物'], descriptions: ['小区的健身器材松动，老人锻炼不安全', '楼道声控灯坏了好几天，晚上看不见', '楼道里堆了纸箱和旧家具，挡住了消防通道'] },
  { category: 'ELDERLY_CARE', titles: ['独居老人需要陪护', '老人需要代购药品', '助老理发'], descriptions: ['家里老人独居，子女在外地打工，希望有人定期上门看看', '老人腿脚不便，需要帮忙去药店买降压药', '老人行动不便，想请志愿者上门理发'] },
  { category: 'CHILD_CARE', titles: ['留守儿童课业辅导', '周末托管看护'], descriptions: ['孩子父母在外务工，作业没人辅导', '周末家长加班，希望有人照看孩子半天'] },
  { category: 'HEALTH', titles: ['上门测量血压', '健康咨询'], descriptions: ['老人有高血压，希望每周有人上门量血压', '想咨询慢性病用药和饮食注意事项'] },
  { category: 'LEGAL', titles: ['劳动纠纷法律咨询', '遗产继承咨询'], descriptions: ['在外务工被拖欠工资，想咨询怎么维权', '家里老人去世，想咨询房产继承手续'] },
  { category: 'ENVIRONMENT', titles: ['小区垃圾清运', '河道漂浮物清理'], descriptions: ['小区角落垃圾堆积多日，气味很大', '门前河道有漂浮垃圾，希望组织清理'] },
  { category: 'CULTURE_EDUCATION', titles: ['智能手机使用教学', '书法兴趣辅导'], descriptions: ['老人想学用微信视频和手机缴费', '社区老人想学写毛笔字'] },
  { category: 'OTHER', titles: ['家电维修', '搬运重物'], descriptions: ['家里电饭煲和电风扇坏了，想请志愿者帮忙看看', '老人要搬家，需要帮忙搬运家具'] },
];
const CHANNELS: SeedOrder['channel'][] = ['APP', 'APP', 'APP', 'WECHAT', 'WECHAT', 'MINI_PROGRAM', 'PHONE', 'OFFLINE'];
const COMMENTS = ['志愿者很耐心，非常满意', '来得很及时，谢谢', '问题解决了，感谢社区', '服务周到', '基本解决了，还需要再跟进'];

const iso = (ms: number): string => new Date(ms).toISOString();
/** The Asia/Shanghai date of an instant, as YYYYMMDD. */
const shanghaiDay = (ms: number): string => new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 10).replace(/-/g, '');

/** A version-4-shaped uuid derived from a key (deterministic, so a re-run finds the same credit). */
export function uuidFor(key: string): string {
  const hex = Array.from({ length: 4 }, (_, i) => hashString(`${i}:${key}`).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The status of an order placed `daysAgo` days before the reference day: open ones are recent, old ones history. */
function statusFor(roll: number, daysAgo: number): SeedOrderStatus {
  if (daysAgo < RECENT_DAYS) {
    if (roll < 0.1) return 'SUBMITTED';
    if (roll < 0.27) return 'DISPATCHED';
    if (roll < 0.5) return 'ACCEPTED';
    if (roll < 0.75) return 'IN_PROGRESS';
    if (roll < 0.92) return 'DELIVERED';
    return 'CANCELLED';
  }
  if (roll < 0.03) return 'CANCELLED';
  if (roll < 0.2) return 'CLOSED'; // delivered, never evaluated: closed by the dispatch worker after the window
  return 'EVALUATED';
}

interface Draft extends Omit<SeedOrder, 'code'> {
  key: string;
  createdMs: number;
}

function draftOrder(key: string, stationCode: string, members: VolunteeringDataset['volunteers']): Draft {
  const rng = createRng(key);
  const active = members.filter((volunteer) => volunteer.status === 'ACTIVE');
  // Most orders are recent-ish; about 3% of them fall in the last RECENT_DAYS days.
  const daysAgo = rng.int(0, 364);
  const createdMs = REFERENCE_DAY - daysAgo * DAY - rng.int(0, 12 * 60) * MINUTE - 2 * 3600 * 1000; // 06:00–18:00 Shanghai time
  const kind = rng.pick(ORDER_KINDS);
  const variant = rng.int(0, kind.titles.length - 1);
  const urgencyRoll = rng.next();
  const urgency: SeedUrgency = urgencyRoll < 0.05 ? 'URGENT' : urgencyRoll < 0.2 ? 'HIGH' : urgencyRoll < 0.9 ? 'NORMAL' : 'LOW';
  const specialRoll = rng.next();
  const specialGroup: SeedOrder['specialGroup'] =
    kind.category === 'ELDERLY_CARE' || specialRoll < 0.1 ? 'EMPTY_NEST_ELDERLY' : kind.category === 'CHILD_CARE' ? 'LEFT_BEHIND_CHILD' : specialRoll < 0.13 ? 'DISABLED' : 'NONE';
  const status = statusFor(rng.next(), daysAgo);
  const factor = URGENCY_FACTOR[urgency];
  const requesterMobile = rng.pick(members).mobile;

  const timeline: SeedOrderEvent[] = [{ action: 'SUBMITTED', from: null, to: 'SUBMITTED', actor: 'REQUESTER', at: iso(createdMs) }];
  const order: Draft = {
    key,
    createdMs,
    stationCode,
    channel: rng.pick(CHANNELS),
    category: kind.category,
    title: kind.titles[variant]!,
    description: kind.descriptions[variant] ?? kind.descriptions[0]!,
    specialGroup,
    urgency,
    status,
    requesterMobile,
    assignees: [],
    createdAt: iso(createdMs),
    dispatchedAt: null,
    acceptedAt: null,
    startedAt: null,
    deliveredAt: null,
    evaluatedAt: null,
    closedAt: null,
    cancelledAt: null,
    acceptBy: null,
    deliverBy: null,
    evaluateBy: null,
    outcome: null,
    deliveryNote: null,
    rating: null,
    resolved: null,
    comment: null,
    timeline,
  };
  if (status === 'SUBMITTED') return order;
  const cancelledEarly = status === 'CANCELLED' && rng.next() < 0.4;
  if (cancelledEarly) {
    order.cancelledAt = iso(createdMs + rng.int(10, 600) * MINUTE);
    timeline.push({ action: 'CANCELLED', from: 'SUBMITTED', to: 'CANCELLED', actor: 'REQUESTER', at: order.cancelledAt });
    return order;
  }
  const dispatched = createdMs + rng.int(1, 30) * MINUTE;
  order.dispatchedAt = iso(dispatched);
  order.acceptBy = iso(dispatched + STAGE_MINUTES.ACCEPT * factor * MINUTE);
  timeline.push({ action: 'DISPATCHED', from: 'SUBMITTED', to: 'DISPATCHED', actor: 'SYSTEM', at: order.dispatchedAt });
  if (status === 'DISPATCHED') return order;
  if (status === 'CANCELLED') {
    order.cancelledAt = iso(dispatched + rng.int(10, 200) * MINUTE);
    timeline.push({ action: 'CANCELLED', from: 'DISPATCHED', to: 'CANCELLED', actor: 'REQUESTER', at: order.cancelledAt });
    return order;
  }
  const accepted = dispatched + rng.int(5, 200) * factor * MINUTE;
  order.acceptedAt = iso(accepted);
  order.deliverBy = iso(accepted + STAGE_MINUTES.DELIVER * factor * MINUTE);
  timeline.push({ action: 'ACCEPTED', from: 'DISPATCHED', to: 'ACCEPTED', actor: 'STATION', at: order.acceptedAt });
  // Some accepted orders wait for their volunteers; every order past ACCEPTED has one to three.
  if (active.length > 0 && (status !== 'ACCEPTED' || rng.next() < 0.7)) {
    const wanted = Math.min(active.length, rng.int(1, 3));
    const chosen = new Set<string>();
    while (chosen.size < wanted) chosen.add(rng.pick(active).mobile);
    order.assignees = [...chosen].sort().map((mobile) => ({ mobile, minutes: null }));
    timeline.push({ action: 'ASSIGNED', from: 'ACCEPTED', to: 'ACCEPTED', actor: 'STATION', at: iso(accepted + rng.int(1, 10) * MINUTE) }); // before any start (at least 15 min)
  }
  if (status === 'ACCEPTED' || order.assignees.length === 0) {
    order.status = 'ACCEPTED'; // a station without active volunteers cannot start (no kaizhou station is one)
    return order;
  }
  const started = accepted + rng.int(60, 24 * 60) * factor * MINUTE;
  order.startedAt = iso(started);
  timeline.push({ action: 'STARTED', from: 'ACCEPTED', to: 'IN_PROGRESS', actor: 'STATION', at: order.startedAt });
  if (status === 'IN_PROGRESS') return order;
  const delivered = started + rng.int(60, 48 * 60) * factor * MINUTE;
  order.deliveredAt = iso(delivered);
  order.evaluateBy = iso(delivered + STAGE_MINUTES.EVALUATE * MINUTE);
  order.outcome = rng.next() < 0.9 ? 'FULL' : 'PARTIAL';
  order.deliveryNote = order.outcome === 'FULL' ? '已上门服务，问题已解决' : '已上门服务，部分问题需后续跟进';
  order.assignees = order.assignees.map((assignee) => ({ ...assignee, minutes: rng.pick([30, 60, 90, 120, 180, 240]) }));
  timeline.push({ action: 'DELIVERED', from: 'IN_PROGRESS', to: 'DELIVERED', actor: 'STATION', at: order.deliveredAt });
  if (status === 'DELIVERED') return order;
  if (status === 'CLOSED') {
    order.closedAt = order.evaluateBy;
    timeline.push({ action: 'CLOSED', from: 'DELIVERED', to: 'CLOSED', actor: 'SYSTEM', at: order.closedAt });
    return order;
  }
  order.evaluatedAt = iso(delivered + rng.int(30, 5 * 24 * 60) * MINUTE);
  order.resolved = order.outcome === 'FULL' ? 'YES' : 'PARTLY';
  order.rating = order.resolved === 'YES' ? rng.pick([4, 5, 5, 5]) : rng.pick([3, 4]);
  order.comment = rng.next() < 0.6 ? rng.pick(COMMENTS) : null;
  timeline.push({ action: 'EVALUATED', from: 'DELIVERED', to: 'EVALUATED', actor: 'REQUESTER', at: order.evaluatedAt });
  return order;
}

/**
 * The service-order history of a profile: kaizhou has 11,800 orders over its 535 stations and the year before
 * 2026-11-01, most of them evaluated or closed, a few hundred of the last days still open (submitted, dispatched,
 * accepted, in progress) with volunteers of their station assigned; plus a points account for every assignee,
 * credited once. demo has none (its orders are the ones people place).
 */
export function ordersDataset(profile: SeedProfile, volunteering: VolunteeringDataset): OrdersDataset {
  if (profile !== 'kaizhou') return { orders: [], accounts: [] };
  const byStation = new Map<string, VolunteeringDataset['volunteers']>();
  for (const volunteer of volunteering.volunteers) {
    const members = byStation.get(volunteer.stationCode) ?? [];
    members.push(volunteer);
    byStation.set(volunteer.stationCode, members);
  }
  const stations = [...byStation.keys()].sort();
  const counts = spread(TOTAL_ORDERS, stations);
  const drafts: Draft[] = [];
  stations.forEach((code, s) => {
    for (let i = 0; i < counts[s]!; i += 1) drafts.push(draftOrder(`O-${code}-${String(i + 1).padStart(4, '0')}`, code, byStation.get(code)!));
  });
  // Codes are numbered per Asia/Shanghai day in order of placement, as the orders subgraph numbers them.
  drafts.sort((a, b) => a.createdMs - b.createdMs || (a.key < b.key ? -1 : 1));
  const perDay = new Map<string, number>();
  const orders: SeedOrder[] = drafts.map(({ key: _key, createdMs, ...order }) => {
    const day = shanghaiDay(createdMs);
    const number = (perDay.get(day) ?? 0) + 1;
    perDay.set(day, number);
    return { code: `KZ-${day}-${String(number).padStart(4, '0')}`, ...order };
  });
  const stationOf = new Map<string, string>();
  for (const order of orders) for (const assignee of order.assignees) stationOf.set(assignee.mobile, order.stationCode);
  const accounts = [...stationOf.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([mobile, stationCode]) => ({ mobile, stationCode, points: createRng(`points-${mobile}`).int(20, 2000), creditKey: uuidFor(`seed-credit:${mobile}`) }));
  return { orders, accounts };
}
