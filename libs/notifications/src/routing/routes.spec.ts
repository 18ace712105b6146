import { catalog, EventType, routesFor } from '@kz/events';
import { chooseChannels, defaultChannels } from '../preferences/preferences';
import { renderTemplate, TEMPLATES } from '../templates/templates';
import { MAINTENANCE_EVENTS } from '../moves/unit-moves';
import { isUrgent, linkOf, NOTIFICATION_ROUTES } from './notification-routes';

const routedToNotifications = (Object.keys(catalog) as EventType[]).filter((type) => routesFor(type).includes('notifications'));
const isMaintenance = (type: EventType) => (MAINTENANCE_EVENTS as readonly EventType[]).includes(type);

describe('the notification routing table', () => {
  it('has a route for every domain event on the notifications queue (the delivery job is the worker’s own, the maintenance events notify nobody)', () => {
    const notifying = routedToNotifications.filter((type) => type !== 'notification.delivery.due' && !isMaintenance(type));
    expect(notifying.filter((type) => !NOTIFICATION_ROUTES[type])).toEqual([]);
    expect(Object.keys(NOTIFICATION_ROUTES).filter((type) => !routedToNotifications.includes(type as EventType))).toEqual([]);
  });

  it('routes each maintenance event to the notifications queue without a notification route or text', () => {
    expect(MAINTENANCE_EVENTS).toEqual(['org.unit.moved', 'person.account.closed']);
    for (const type of MAINTENANCE_EVENTS) {
      expect(routedToNotifications).toContain(type);
      expect(NOTIFICATION_ROUTES[type]).toBeUndefined();
      expect(Object.keys(TEMPLATES).filter((key) => key.startsWith(`${type}.`))).toEqual([]);
    }
  });

  it('has a zh-CN and an en text for every audience a route addresses, and no text for nobody', () => {
    const needed = Object.entries(NOTIFICATION_ROUTES).flatMap(([type, route]) => route!.recipients.map((spec) => `${type}.${spec.audience}`));
    expect(needed.filter((key) => !TEMPLATES[key])).toEqual([]);
    expect(Object.keys(TEMPLATES).filter((key) => !needed.includes(key))).toEqual([]);
    const params = { orderId: '42', code: 'KZ-20261128-0042', title: '楼道灯不亮', category: 'ELDERLY_CARE', level: 'CENTER', stage: 'ACCEPT', dueAt: '2026-11-28T06:00:00Z', rating: 5, resolved: 'YES', amount: 30, quantity: 1, points: 100, beneficiary: '王*', startsAt: '2026-11-28T06:00:00Z', activityId: '3', expiresAt: '2026-11-30T06:00:00Z', note: '请尽快', reason: '人手不足' };
    for (const key of Object.keys(TEMPLATES)) {
      const [kind, audience] = [key.slice(0, key.lastIndexOf('.')), key.slice(key.lastIndexOf('.') + 1)];
      for (const locale of ['zh-CN', 'en'] as const) {
        const text = renderTemplate(kind, audience, params, locale)!;
        expect(`${text.title} ${text.body}`).not.toMatch(/undefined|NaN|\[object/);
        expect(text.title.length).toBeGreaterThan(0);
      }
    }
  });

  it('words the station’s new order in Chinese with its code, title and deadline in Kaizhou time', () => {
    expect(renderTemplate('order.dispatched', 'STAFF', { code: 'KZ-20261128-0042', title: '楼道灯不亮', dueAt: '2026-11-28T05:30:00Z' }, 'zh-CN')).toEqual({
      title: '新订单',
      body: '订单「楼道灯不亮」（KZ-20261128-0042）已派至本站，请在 11月28日 13:30 前接单。',
    });
    expect(renderTemplate('order.dispatched', 'STAFF', { code: 'KZ-20261128-0042', title: '楼道灯不亮' }, 'en')!.title).toBe('New order');
  });

  it('tells a unit’s staff in Chinese how many service records are past their recording deadline (办法 Art. 11)', () => {
    expect(renderTemplate('volunteer.records.overdue', 'STAFF', { count: 3, oldestDueOn: '2026-10-20', unitId: '123' }, 'zh-CN')).toEqual({
      title: '服务记录逾期未登记',
      body: '有3条服务记录已超过登记期限（最早应于 2026-10-20 前登记），请尽快核定或驳回。',
    });
    expect(renderTemplate('volunteer.records.overdue', 'STAFF', { count: 3, oldestDueOn: '2026-10-20' }, 'en')!.title).toBe('Service records overdue');
    expect(NOTIFICATION_ROUTES['volunteer.records.overdue']!.recipients).toEqual([{ rule: 'UNIT_STATION_ADMINS', audience: 'STAFF' }]);
    expect(linkOf(NOTIFICATION_ROUTES['volunteer.records.overdue']!, { unitId: '123' })).toBe('unit:123');
  });

  it('congratulates the volunteer on a star in Chinese, naming the unit that granted it and the day', () => {
    const star = { level: 3, name: '3星志愿者', awardedOn: '2026-12-05', grantingUnitName: '迎宾社区新时代文明实践站', volunteerId: '9' };
    expect(renderTemplate('volunteer.star.awarded', 'VOLUNTEER', star, 'zh-CN')).toEqual({
      title: '荣获3星志愿者',
      body: '迎宾社区新时代文明实践站于 2026-12-05 授予您「3星志愿者」称号，感谢您的志愿服务！',
    });
    expect(renderTemplate('volunteer.star.awarded', 'VOLUNTEER', star, 'en')).toEqual({
      title: 'You are a 3-star volunteer',
      body: '迎宾社区新时代文明实践站 granted you the title of a 3-star volunteer on 2026-12-05. Thank you for your service!',
    });
    expect(NOTIFICATION_ROUTES['volunteer.star.awarded']!.recipients).toEqual([{ rule: 'VOLUNTEER', audience: 'VOLUNTEER' }]);
    expect(linkOf(NOTIFICATION_ROUTES['volunteer.star.awarded']!, star)).toBe('volunteer:9');
  });

  it('asks the station in Chinese to decide on a star the hours reach, and tells the volunteer it is within reach', () => {
    const eligible = { volunteerId: '9', level: 2, name: '2星志愿者', neededHours: 300, verifiedHours: 300.5 };
    expect(renderTemplate('volunteer.star.eligible', 'STAFF', eligible, 'zh-CN')).toEqual({
      title: '志愿者达到2星志愿者标准',
      body: '志愿者（编号 9）已审核服务时长 300.5 小时，已达2星志愿者标准（300 小时），请结合服务质量评定。',
    });
    expect(renderTemplate('volunteer.star.eligible', 'VOLUNTEER', eligible, 'zh-CN')!.body).toBe(
      '您的已审核志愿服务时长已达 300.5 小时，达到2星志愿者标准，将由所在站点评定。',
    );
    expect(NOTIFICATION_ROUTES['volunteer.star.eligible']!.recipients).toEqual([
      { rule: 'VOLUNTEER_STATION_ADMINS', audience: 'STAFF', includeActor: true },
      { rule: 'VOLUNTEER', audience: 'VOLUNTEER' },
    ]);
  });

  it('marks escalations, missed visits and safety or URGENT orders urgent, nothing else', () => {
    expect(isUrgent(NOTIFICATION_ROUTES['order.escalated']!)).toBe(true);
    expect(isUrgent(NOTIFICATION_ROUTES['carePlan.visit.missed']!)).toBe(true);
    expect(isUrgent(NOTIFICATION_ROUTES['order.dispatched']!, { category: 'SAFETY_FACILITIES', urgency: 'NORMAL' })).toBe(true);
    expect(isUrgent(NOTIFICATION_ROUTES['order.submitted']!, { category: 'HEALTH', urgency: 'URGENT' })).toBe(true);
    expect(isUrgent(NOTIFICATION_ROUTES['order.dispatched']!, { category: 'HEALTH', urgency: 'HIGH' })).toBe(false);
    expect(isUrgent(NOTIFICATION_ROUTES['order.accepted']!, { category: 'SAFETY_FACILITIES', urgency: 'URGENT' })).toBe(false);
  });

  it('links to the subject', () => {
    expect(linkOf(NOTIFICATION_ROUTES['order.assigned']!, { orderId: '42' })).toBe('order:42');
    expect(linkOf(NOTIFICATION_ROUTES['points.transferred']!, { fromAccountId: '1', toAccountId: '2' })).toBe('account:2');
  });
});

describe('channel preferences', () => {
  it('default to the inbox, plus an SMS for residents’ order updates and urgent staff messages', () => {
    expect(defaultChannels('order.accepted', 'RESIDENT', false)).toEqual(['INBOX', 'SMS']);
    expect(defaultChannels('points.credited', 'RESIDENT', false)).toEqual(['INBOX']);
    expect(defaultChannels('order.dispatched', 'STAFF', false)).toEqual(['INBOX']);
    expect(defaultChannels('order.escalated', 'STAFF', true)).toEqual(['INBOX', 'SMS']);
    expect(defaultChannels('order.assigned', 'VOLUNTEER', false)).toEqual(['INBOX']);
  });

  it('take the row of the kind over the row for every kind, and always keep the inbox', () => {
    const rows = [
      { kind: '*', channels: ['INBOX', 'WECHAT'] },
      { kind: 'order.accepted', channels: ['SMS'] },
    ];
    expect(chooseChannels(rows, 'order.accepted', 'RESIDENT', false)).toEqual(['INBOX', 'SMS']);
    expect(chooseChannels(rows, 'order.closed', 'RESIDENT', false)).toEqual(['INBOX', 'WECHAT']);
    expect(chooseChannels([], 'order.closed', 'RESIDENT', false)).toEqual(['INBOX', 'SMS']);
  });
});
