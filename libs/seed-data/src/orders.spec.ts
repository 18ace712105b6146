import { ordersDataset, peopleDataset, volunteeringDataset } from './index';

const heYi = peopleDataset('kaizhou').find((person) => person.realName === '何毅')!.mobile;
const volunteering = volunteeringDataset('kaizhou', heYi);
const { orders, accounts } = ordersDataset('kaizhou', volunteering);
const OPEN = ['SUBMITTED', 'DISPATCHED', 'ACCEPTED', 'IN_PROGRESS'];

describe('the kaizhou order history', () => {
  it('has 11,800 orders with unique codes in the service format, numbered per day from 1 without gaps', () => {
    expect(orders).toHaveLength(11_800);
    expect(new Set(orders.map((order) => order.code)).size).toBe(11_800);
    const perDay = new Map<string, number[]>();
    for (const { code } of orders) {
      const [, day, number] = /^KZ-(\d{8})-(\d{4})$/.exec(code)!;
      perDay.set(day!, [...(perDay.get(day!) ?? []), Number(number)]);
    }
    for (const numbers of perDay.values()) expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });

  it('is the same on every run', () => {
    expect(JSON.stringify(ordersDataset('kaizhou', volunteeringDataset('kaizhou', heYi)))).toBe(JSON.stringify({ orders, accounts }));
  });

  it('keeps a few hundred recent orders open, most of the rest evaluated or closed', () => {
    const open = orders.filter((order) => OPEN.includes(order.status));
    expect(open.length).toBeGreaterThanOrEqual(200);
    expect(open.length).toBeLessThan(600);
    const finished = orders.filter((order) => order.status === 'EVALUATED' || order.status === 'CLOSED');
    expect(finished.length / orders.length).toBeGreaterThan(0.9);
    const newest = Math.max(...orders.map((order) => Date.parse(order.createdAt)));
    for (const order of open) expect(newest - Date.parse(order.createdAt)).toBeLessThan(13 * 24 * 3600 * 1000);
  });

  it('assigns active volunteers of the order station, and a timeline whose moves chain up to the status in time order', () => {
    const members = new Map(volunteering.volunteers.map((volunteer) => [volunteer.mobile, volunteer]));
    const problems: string[] = [];
    const check = (ok: boolean, order: string, what: string) => {
      if (!ok) problems.push(`${order}: ${what}`);
    };
    for (const order of orders) {
      for (const assignee of order.assignees) {
        const member = members.get(assignee.mobile);
        check(member?.stationCode === order.stationCode && member.status === 'ACTIVE', order.code, `assignee ${assignee.mobile}`);
        check((assignee.minutes === null) === ['ACCEPTED', 'IN_PROGRESS'].includes(order.status), order.code, 'minutes once delivered');
      }
      if (['IN_PROGRESS', 'DELIVERED', 'EVALUATED', 'CLOSED'].includes(order.status)) check(order.assignees.length > 0, order.code, 'no assignee');
      check(members.get(order.requesterMobile)?.stationCode === order.stationCode, order.code, 'requester of another station');
      const timeline = order.timeline;
      check(timeline[0]!.action === 'SUBMITTED' && timeline[0]!.from === null && timeline[0]!.at === order.createdAt, order.code, 'first line');
      for (let i = 1; i < timeline.length; i += 1) {
        check(timeline[i]!.from === timeline[i - 1]!.to, order.code, `line ${i} does not follow`);
        check(Date.parse(timeline[i]!.at) >= Date.parse(timeline[i - 1]!.at), order.code, `line ${i} before the previous`);
      }
      check(timeline[timeline.length - 1]!.to === order.status, order.code, 'last line is not the status');
    }
    expect(problems).toEqual([]);
  });

  it('opens one account per assignee, with a positive credit under a key of its own', () => {
    const assignees = new Set(orders.flatMap((order) => order.assignees.map((assignee) => assignee.mobile)));
    expect(new Set(accounts.map((account) => account.mobile))).toEqual(assignees);
    expect(new Set(accounts.map((account) => account.creditKey)).size).toBe(accounts.length);
    for (const account of accounts) {
      expect(account.points).toBeGreaterThan(0);
      expect(account.creditKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('gives demo no seeded orders', () => {
    expect(ordersDataset('demo', volunteeringDataset('demo', heYi))).toEqual({ orders: [], accounts: [] });
  });
});
