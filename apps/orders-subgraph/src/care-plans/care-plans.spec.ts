import { errorCodes } from '@kz/testing';
import { OrdersFixture, startOrdersFixture, VOLUNTEER_HE_YI } from '../testing/orders-fixture';

let fixture: OrdersFixture;
let planId: string;

const PLAN = `query ($id: ID!) {
  carePlan(id: $id) {
    id frequency nextVisitAt active missedVisits station { id } squad { id } volunteers { id }
    beneficiary { name phone specialGroup } address location { lat lng }
    visits(first: 10) { totalCount edges { node { id status carePlan { id } } } }
  }
}`;
const PLANS = `query ($filter: CarePlanFilter) { carePlans(filter: $filter, first: 50) { totalCount edges { node { id } } } }`;

type Plan = { id: string; beneficiary: { name: string; phone: string }; visits: { totalCount: number; edges: { node: { id: string; carePlan: { id: string } } }[] } };

beforeAll(async () => {
  fixture = await startOrdersFixture();
  const plan = await fixture.must<{ id: string }>(
    'createCarePlan',
    {
      beneficiary: { name: '留守儿童小明', phone: '023-52212345', specialGroup: 'LEFT_BEHIND_CHILD' },
      stationId: '5',
      squadId: '40',
      volunteerIds: [VOLUNTEER_HE_YI],
      frequency: 'MONTHLY',
      firstVisitAt: '2026-12-05T02:00:00.000Z',
      location: { lat: 31.16, lng: 108.39 },
    },
    'instituteAdmin',
    'id',
  );
  planId = plan.id;
  for (const dueAt of ['2026-12-05T02:00:00.000Z', '2027-01-05T02:00:00.000Z']) {
    await fixture.must('recordCarePlanVisit', { carePlanId: planId, dueAt }, 'service');
  }
});
afterAll(() => fixture?.stop());

describe('care plans', () => {
  it('are made by station staff in scope, for a station', async () => {
    const input = { beneficiary: { name: '张三', specialGroup: 'DISABLED' }, stationId: '7', frequency: 'WEEKLY', firstVisitAt: '2026-12-01T00:00:00Z' };
    expect(errorCodes(await fixture.mutate('createCarePlan', input, 'stationAdmin', 'id'))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await fixture.mutate('createCarePlan', input, 'resident', 'id'))).toEqual(['FORBIDDEN']);
    const atInstitute = await fixture.mutate('createCarePlan', { ...input, stationId: '3' }, 'centerAdmin', 'id');
    expect(atInstitute.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.stationId', level: 'INSTITUTE' });
  });

  it('show their visits, a month apart, and their beneficiary in clear to the station only', async () => {
    const asStaff = await fixture.ask<{ carePlan: Plan & Record<string, unknown> }>(PLAN, { id: planId }, 'stationAdmin');
    expect(asStaff.errors).toBeUndefined();
    expect(asStaff.data!.carePlan).toMatchObject({
      frequency: 'MONTHLY',
      nextVisitAt: '2027-02-05T02:00:00.000Z',
      active: true,
      station: { id: '5' },
      squad: { id: '40' },
      volunteers: [{ id: VOLUNTEER_HE_YI }],
      beneficiary: { name: '留守儿童小明', phone: '02352212345', specialGroup: 'LEFT_BEHIND_CHILD' },
      visits: { totalCount: 2 },
    });
    expect(asStaff.data!.carePlan.visits.edges.every((edge) => edge.node.carePlan.id === planId)).toBe(true);
    // 何毅 visits for the plan: he sees it, with the name masked, but not visit orders he is not assigned to.
    const asVolunteer = await fixture.ask<{ carePlan: Plan }>(PLAN, { id: planId }, 'volunteer');
    expect(asVolunteer.data!.carePlan).toMatchObject({ beneficiary: { name: '留*****', phone: '023****2345' }, visits: { totalCount: 0 } });
    expect((await fixture.ask<{ carePlan: Plan | null }>(PLAN, { id: planId }, 'otherStationAdmin')).data!.carePlan).toBeNull();
    expect((await fixture.ask<{ carePlan: Plan | null }>(PLAN, { id: planId }, 'resident')).data!.carePlan).toBeNull();
  });

  it('are listed by subtree and state', async () => {
    type Plans = { carePlans: { totalCount: number; edges: { node: { id: string } }[] } };
    const ids = async (caller: Parameters<OrdersFixture['ask']>[2], filter?: Record<string, unknown>) =>
      (await fixture.ask<Plans>(PLANS, { filter }, caller)).data!.carePlans.edges.map((edge) => edge.node.id);
    expect(await ids('stationAdmin')).toContain(planId);
    expect(await ids('otherStationAdmin')).toEqual([]);
    expect(await ids('volunteer')).toEqual([planId]);
    expect(await ids('dispatcher', { withinUnitId: '3' })).toEqual([]);
    expect(await ids('dispatcher', { withinUnitId: '2', active: true })).toContain(planId);
    expect(await ids('dispatcher', { active: false })).not.toContain(planId);
  });
});
