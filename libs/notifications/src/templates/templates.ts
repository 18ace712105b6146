import { isOrderCategory, ORDER_CATEGORY_ZH } from '@kz/events';
import type { Audience } from '../routing/notification-routes';
import { formatShanghai } from '../schedule/quiet-hours';

export type TemplateLocale = 'en' | 'zh-CN';
export type TemplateParams = Record<string, string | number>;

interface Text {
  title: (p: TemplateParams, locale: TemplateLocale) => string;
  body: (p: TemplateParams, locale: TemplateLocale) => string;
}
type Template = Record<TemplateLocale, Text>;

const RESOLVED_ZH: Record<string, string> = { YES: '已解决', PARTLY: '部分解决', NO: '未解决' };
const LEVEL_ZH: Record<string, string> = { INSTITUTE: '实践所', CENTER: '实践中心' };
const STAGE_ZH: Record<string, string> = { ACCEPT: '接单', DELIVER: '送单' };

const when = (p: TemplateParams, key: string, locale: TemplateLocale) => (p[key] ? formatShanghai(String(p[key]), locale) : '');
/** `「楼道灯不亮」(KZ-20261128-0042)`: how a message names an order. */
const zhOrder = (p: TemplateParams) => `${p.title ? `「${p.title}」` : ''}（${p.code ?? `#${p.orderId}`}）`;
const enOrder = (p: TemplateParams) => `${p.title ? `"${p.title}" ` : ''}(${p.code ?? `#${p.orderId}`})`;
/** `「腾龙广场环境整治」`: how a message names a service record. */
const zhRecord = (p: TemplateParams) => (p.title ? `「${p.title}」` : `（编号 ${p.serviceRecordId}）`);
const enRecord = (p: TemplateParams) => (p.title ? `"${p.title}"` : `#${p.serviceRecordId}`);
const zhReason = (p: TemplateParams) => (p.reason ? `原因：${p.reason}。` : '');
const enReason = (p: TemplateParams) => (p.reason ? ` Reason: ${p.reason}.` : '');
/** `3星志愿者`: how a message names a star (the award's name, else its level). */
const zhStar = (p: TemplateParams) => (p.name ? String(p.name) : typeof p.level === 'number' ? `${p.level}星志愿者` : '星级志愿者');
const enStar = (p: TemplateParams) => (typeof p.level === 'number' ? `a ${p.level}-star volunteer` : 'a star volunteer');

const t = (en: [string | Text['title'], Text['body']], zh: [string | Text['title'], Text['body']]): Template => {
  const text = ([title, body]: [string | Text['title'], Text['body']]): Text => ({ title: typeof title === 'string' ? () => title : title, body });
  return { en: text(en), 'zh-CN': text(zh) };
};

/**
 * Every message text, in zh-CN (what is sent and stored) and en (for readers of the inbox who ask for English), keyed
 * `<event type>.<audience>`. Parameters come from the event and from the order it is about (code, title, category).
 */
export const TEMPLATES: Record<string, Template> = {
  'order.submitted.STAFF': t(
    ['New order to dispatch', (p) => `Order ${enOrder(p)} (${p.category}) was submitted and waits for dispatch.`],
    ['新订单待派单', (p) => `订单${zhOrder(p)}（${(isOrderCategory(p.category) ? ORDER_CATEGORY_ZH[p.category] : p.category)}）已提交，请尽快派单。`],
  ),
  'order.submitted.RESIDENT': t(
    ['Your order was received', (p) => `Your order ${enOrder(p)} was registered and will be dispatched to a station soon.`],
    ['订单已受理', (p) => `您的订单${zhOrder(p)}已登记，将尽快派往实践站。`],
  ),
  'order.dispatched.STAFF': t(
    ['New order', (p, l) => `Order ${enOrder(p)} was dispatched to your station.${p.dueAt ? ` Accept it by ${when(p, 'dueAt', l)}.` : ''}`],
    ['新订单', (p, l) => `订单${zhOrder(p)}已派至本站${p.dueAt ? `，请在 ${when(p, 'dueAt', l)} 前接单` : '，请及时接单'}。`],
  ),
  'order.dispatched.RESIDENT': t(
    ['Your order was dispatched', (p) => `Your order ${enOrder(p)} was dispatched to a practice station.`],
    ['订单已派单', (p) => `您的订单${zhOrder(p)}已派至实践站，请留意接单进展。`],
  ),
  'order.accepted.RESIDENT': t(
    ['Your order was accepted', (p) => `The station accepted your order ${enOrder(p)} and is arranging volunteers.`],
    ['订单已接单', (p) => `实践站已受理您的订单${zhOrder(p)}，正在安排志愿者。`],
  ),
  'order.returned.STAFF': t(
    ['Order returned', (p) => `A station returned order ${enOrder(p)}; dispatch it again.${enReason(p)}`],
    ['订单被退回', (p) => `订单${zhOrder(p)}被实践站退回，请重新派单。${zhReason(p)}`],
  ),
  'order.assigned.VOLUNTEER': t(
    ['New service task', (p) => `You were assigned to order ${enOrder(p)}.`],
    ['新的服务任务', (p) => `您已被安排服务订单${zhOrder(p)}，请及时联系服务对象。`],
  ),
  'order.assigned.RESIDENT': t(
    ['Volunteers assigned', (p) => `Volunteers were assigned to your order ${enOrder(p)}.`],
    ['已安排志愿者', (p) => `您的订单${zhOrder(p)}已安排志愿者上门服务。`],
  ),
  'order.started.RESIDENT': t(
    ['Service started', (p) => `Volunteers started serving your order ${enOrder(p)}.`],
    ['服务已开始', (p) => `志愿者已开始为您的订单${zhOrder(p)}提供服务。`],
  ),
  'order.delivered.RESIDENT': t(
    ['Service delivered: please rate it', (p) => `Your order ${enOrder(p)} was delivered. Please rate the service.`],
    ['服务已完成，请评价', (p) => `您的订单${zhOrder(p)}已完成服务，请对本次服务进行评价。`],
  ),
  'order.evaluated.STAFF': t(
    ['Order rated', (p) => `The requester rated order ${enOrder(p)} ${p.rating ?? '-'}/5${p.resolved ? ` (resolved: ${p.resolved})` : ''}.`],
    ['居民已评单', (p) => `订单${zhOrder(p)}获评 ${p.rating ?? '-'} 星${p.resolved ? `（${RESOLVED_ZH[String(p.resolved)] ?? p.resolved}）` : ''}。`],
  ),
  'order.evaluated.VOLUNTEER': t(
    ['Your service was rated', (p) => `The order ${enOrder(p)} you served was rated ${p.rating ?? '-'}/5.`],
    ['服务已获评价', (p) => `您参与服务的订单${zhOrder(p)}获评 ${p.rating ?? '-'} 星，感谢您的付出！`],
  ),
  'order.closed.RESIDENT': t(
    ['Order closed', (p) => `Your order ${enOrder(p)} is closed. Thank you.`],
    ['订单已办结', (p) => `您的订单${zhOrder(p)}已办结，感谢您的支持。`],
  ),
  'order.cancelled.STAFF': t(
    ['Order cancelled', (p) => `Order ${enOrder(p)} was cancelled.`],
    ['订单已取消', (p) => `订单${zhOrder(p)}已取消，无需继续办理。`],
  ),
  'order.cancelled.VOLUNTEER': t(
    ['Task cancelled', (p) => `Order ${enOrder(p)} you were assigned to was cancelled.`],
    ['服务任务已取消', (p) => `您负责的订单${zhOrder(p)}已取消，无需上门。`],
  ),
  'order.cancelled.RESIDENT': t(
    ['Your order was cancelled', (p) => `Your order ${enOrder(p)} was cancelled.`],
    ['订单已取消', (p) => `您的订单${zhOrder(p)}已取消。`],
  ),
  'order.reopened.STAFF': t(
    ['Order reopened', (p, l) => `Order ${enOrder(p)} was reopened after an unresolved evaluation.${p.dueAt ? ` Deliver it by ${when(p, 'dueAt', l)}.` : ''}`],
    ['订单重新办理', (p, l) => `订单${zhOrder(p)}评价为未解决，已重新打开${p.dueAt ? `，请在 ${when(p, 'dueAt', l)} 前完成` : ''}。`],
  ),
  'order.reopened.VOLUNTEER': t(
    ['Order reopened', (p) => `Order ${enOrder(p)} you served was reopened: the need is not met yet.`],
    ['订单重新办理', (p) => `您服务的订单${zhOrder(p)}评价为未解决，已重新打开。`],
  ),
  'order.followUp.added.STAFF': t(
    ['Requester followed up', (p) => `The requester followed up on order ${enOrder(p)}: ${p.note ?? ''}`],
    ['居民追问', (p) => `订单${zhOrder(p)}的居民追问：${p.note ?? ''}`],
  ),
  'order.escalated.STAFF': t(
    [
      (p) => `Overdue order escalated to the ${String(p.level).toLowerCase()}`,
      (p, l) => `Order ${enOrder(p)} missed its ${String(p.stage).toLowerCase()} deadline (${when(p, 'dueAt', l)}). Please follow it up.`,
    ],
    [
      (p) => `订单超时，已上报${LEVEL_ZH[String(p.level)] ?? p.level}`,
      (p, l) => `订单${zhOrder(p)}超过${STAGE_ZH[String(p.stage)] ?? p.stage}时限（${when(p, 'dueAt', l)}），请督办。`,
    ],
  ),
  'volunteer.registered.STAFF': t(
    ['New volunteer to review', () => 'A person registered as a volunteer of your station and waits for approval.'],
    ['新志愿者待审核', () => '有居民登记成为本站志愿者，请及时审核。'],
  ),
  'volunteer.registered.VOLUNTEER': t(
    ['Volunteer registration received', () => 'You were registered as a volunteer; the station will review it soon.'],
    ['志愿者登记已提交', () => '您已登记为志愿者，实践站将尽快审核。'],
  ),
  'volunteer.approved.VOLUNTEER': t(
    ['Welcome, volunteer', () => 'Your volunteer registration was approved. Welcome aboard!'],
    ['志愿者审核通过', () => '您的志愿者登记已审核通过，欢迎加入志愿服务队伍！'],
  ),
  'volunteer.rejected.VOLUNTEER': t(
    ['Volunteer registration not approved', (p) => `Your volunteer registration was not approved.${enReason(p)}`],
    ['志愿者审核未通过', (p) => `您的志愿者登记未通过审核。${zhReason(p)}`],
  ),
  'volunteer.suspended.VOLUNTEER': t(
    ['Volunteer status suspended', (p) => `Your volunteer status was suspended.${enReason(p)}`],
    ['志愿者资格已暂停', (p) => `您的志愿者资格已暂停。${zhReason(p)}`],
  ),
  'volunteer.reinstated.VOLUNTEER': t(
    ['Volunteer status restored', () => 'Your volunteer status was restored.'],
    ['志愿者资格已恢复', () => '您的志愿者资格已恢复，欢迎继续参与志愿服务。'],
  ),
  'volunteer.record.correction.decided.VOLUNTEER': t(
    [
      (p) => (p.decision === 'ACCEPTED' ? 'Service record corrected' : 'Correction request declined'),
      (p) =>
        p.decision === 'ACCEPTED'
          ? `Your correction request for the service record ${enRecord(p)} was accepted${p.minutes !== undefined ? `: it now counts ${p.minutes} minutes` : ''}.${enReason(p)}`
          : `Your correction request for the service record ${enRecord(p)} was declined; the record keeps its minutes.${enReason(p)}`,
    ],
    [
      (p) => (p.decision === 'ACCEPTED' ? '服务记录已更正' : '更正申请未通过'),
      (p) =>
        p.decision === 'ACCEPTED'
          ? `您对服务记录${zhRecord(p)}的更正申请已通过${p.minutes !== undefined ? `，时长已更正为 ${p.minutes} 分钟` : ''}。${zhReason(p)}`
          : `您对服务记录${zhRecord(p)}的更正申请未通过，记录时长不变。${zhReason(p)}`,
    ],
  ),
  'activity.cancelled.STAFF': t(
    ['Activity cancelled', (p, l) => `The activity #${p.activityId} of ${when(p, 'startsAt', l)} was cancelled.`],
    ['活动已取消', (p, l) => `原定于 ${when(p, 'startsAt', l)} 的活动（编号 ${p.activityId}）已取消。`],
  ),
  'volunteer.star.eligible.STAFF': t(
    [
      (p) => `A volunteer reached ${enStar(p)}`,
      (p) =>
        `Volunteer${p.volunteerId ? ` #${p.volunteerId}` : ''}${p.verifiedHours !== undefined ? ` has ${p.verifiedHours} verified hours,` : ''} reaching ${enStar(p)}${p.neededHours !== undefined ? ` (${p.neededHours} hours)` : ''}; the station may grant the star.`,
    ],
    [
      (p) => `志愿者达到${zhStar(p)}标准`,
      (p) =>
        `志愿者${p.volunteerId ? `（编号 ${p.volunteerId}）` : ''}${p.verifiedHours !== undefined ? `已审核服务时长 ${p.verifiedHours} 小时，` : ''}已达${zhStar(p)}标准${p.neededHours !== undefined ? `（${p.neededHours} 小时）` : ''}，请结合服务质量评定。`,
    ],
  ),
  'volunteer.star.eligible.VOLUNTEER': t(
    [
      (p) => `Verified hours reached ${enStar(p)}`,
      (p) => `Your verified service hours${p.verifiedHours !== undefined ? ` reached ${p.verifiedHours}:` : ' are'} enough for ${enStar(p)}, which your station grants.`,
    ],
    [
      (p) => `服务时长已达${zhStar(p)}标准`,
      (p) => `您的已审核志愿服务时长${p.verifiedHours !== undefined ? `已达 ${p.verifiedHours} 小时，` : ''}达到${zhStar(p)}标准，将由所在站点评定。`,
    ],
  ),
  'volunteer.star.awarded.VOLUNTEER': t(
    [
      (p) => `You are ${enStar(p)}`,
      (p) => `${p.grantingUnitName ?? 'Your unit'} granted you the title of ${enStar(p)}${p.awardedOn ? ` on ${p.awardedOn}` : ''}. Thank you for your service!`,
    ],
    [
      (p) => `荣获${zhStar(p)}`,
      (p) => `${p.grantingUnitName ?? '您所在的单位'}${p.awardedOn ? `于 ${p.awardedOn} ` : ''}授予您「${zhStar(p)}」称号，感谢您的志愿服务！`,
    ],
  ),
  'volunteer.records.overdue.STAFF': t(
    [
      'Service records overdue',
      (p) =>
        `${p.count ?? 'Some'} service record(s) are past their recording deadline${p.oldestDueOn ? ` (the oldest was due ${p.oldestDueOn})` : ''}; please verify or reject them.`,
    ],
    ['服务记录逾期未登记', (p) => `有${p.count ?? ''}条服务记录已超过登记期限${p.oldestDueOn ? `（最早应于 ${p.oldestDueOn} 前登记）` : ''}，请尽快核定或驳回。`],
  ),
  'points.credited.VOLUNTEER': t(
    ['Points credited', (p) => `${p.amount} points for your verified service were credited to your love bank account.`],
    ['爱心积分到账', (p) => `您的志愿服务时长已核定，${p.amount} 爱心积分已存入您的爱心储蓄卡。`],
  ),
  'points.transferred.RESIDENT': t(
    ['Points received', (p) => `You received ${p.amount} points.`],
    ['收到爱心积分', (p) => `您收到他人转赠的 ${p.amount} 爱心积分。`],
  ),
  'points.redemption.reserved.RESIDENT': t(
    ['Redemption reserved', (p, l) => `${p.quantity} item(s) reserved for ${p.points} points. Pick them up at the station${p.expiresAt ? ` by ${when(p, 'expiresAt', l)}` : ''} with your pickup code.`],
    ['兑换已预约', (p, l) => `已预约兑换 ${p.quantity} 件，冻结 ${p.points} 积分，请${p.expiresAt ? `在 ${when(p, 'expiresAt', l)} 前` : ''}凭取货码到实践站领取。`],
  ),
  'points.redemption.fulfilled.RESIDENT': t(
    ['Redemption picked up', (p) => `Your redemption was handed over; ${p.points} points were spent.`],
    ['兑换已领取', (p) => `您的兑换物品已领取，扣除 ${p.points} 积分。`],
  ),
  'points.redemption.cancelled.RESIDENT': t(
    ['Redemption cancelled', (p) => `Your redemption was cancelled and ${p.points} points were released.`],
    ['兑换已取消', (p) => `您的兑换已取消，${p.points} 积分已退回。`],
  ),
  'points.redemption.expired.RESIDENT': t(
    ['Redemption expired', (p) => `Your redemption was not picked up in time and expired; ${p.points} points were released.`],
    ['兑换已过期', (p) => `您的兑换未在期限内领取，已自动取消，${p.points} 积分已退回。`],
  ),
  'carePlan.visit.due.STAFF': t(
    ['Care visit due', (p, l) => `A care visit to ${p.beneficiary} is due ${when(p, 'dueAt', l)}.`],
    ['关爱走访到期', (p, l) => `${p.beneficiary} 的关爱走访应于 ${when(p, 'dueAt', l)} 完成，请安排志愿者。`],
  ),
  'carePlan.visit.missed.STAFF': t(
    ['Care visit missed', (p, l) => `The care visit to ${p.beneficiary} due ${when(p, 'dueAt', l)} was missed.`],
    ['关爱走访逾期', (p, l) => `${p.beneficiary} 的关爱走访（应于 ${when(p, 'dueAt', l)} 完成）已逾期未办，请督办。`],
  ),
};

export function templateKey(kind: string, audience: Audience | string): string {
  return `${kind}.${audience}`;
}

/** The title and body of a message in a language; null when no template exists for the kind and audience. */
export function renderTemplate(
  kind: string,
  audience: Audience | string,
  params: TemplateParams,
  locale: TemplateLocale,
): { title: string; body: string } | null {
  const template = TEMPLATES[templateKey(kind, audience)];
  if (!template) return null;
  const text = template[locale];
  return { title: text.title(params, locale), body: text.body(params, locale) };
}
