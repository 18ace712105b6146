import { RunningAnalyticsWorker, startAnalyticsWorker } from '@kz/analytics-worker';
import { errorCodes, eventually, eventuallyValue, GraphQLResult } from '@kz/testing';
import { Platform, startPlatform } from './stack';

/**
 * The daily figures in the graph (issue 11, part 4): moves made through the gateway (a resident's two orders, one
 * dispatched, accepted, delivered with 何毅's minutes, evaluated and closed; the station verifies his minutes and the
 * love bank credits them) reach the analytics worker's figures job through the event stream, and
 * `unit(id) { dailyFigures }` through the gateway equals the figures computed with SQL straight from the orders,
 * volunteers and points databases for the same days and subtree. The analytics worker runs here over the analytics
 * database of the platform's analytics subgraph, as in production (they share it).
 */
const PEOPLE = { zhou: '13900230008', stationAdmin: '13900230005', dispatcher: '13900230002', heYi: '13900230007' };
const TZ = 'Asia/Shanghai';

let platform: Platform;
let worker: RunningAnalyticsWorker;
let hanfeng: { id: string; path: string };
let yingbin: { id: string; path: string };
let heYiVolunteer: string;
const tokens: Record<string, string> = {};
/** The Beijing days the test's moves fall on (one, or two around midnight). */
let from: string;
let to: string;

const beijingDay = (date: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(date);

async function must<T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const result = await platform.query<T>(query, variables, { token });
  if (result.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(result.errors)}`);
  return result.data!;
}

const move = (name: string, input: string) => `mutation($input: ${input}!) { ${name}(input: $input) { id status } }`;

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  worker = await startAnalyticsWorker(platform.config, { port: 0 });
  hanfeng = await platform.unit('KZ-HANFENG');
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  for (const [name, mobile] of Object.entries(PEOPLE)) tokens[name] = await platform.login(mobile);
  tokens.service = await platform.token({ sub: 'dispatch-worker', roles: ['SERVICE'] });
  tokens.hanfengAnalyst = await platform.tokenAs('ANALYST', 'KZ-HANFENG');
  tokens.yunfengAnalyst = await platform.tokenAs('ANALYST', 'KZ-YUNFENG');
  tokens.yongxianAdmin = await platform.tokenAs('STATION_ADMIN', 'KZ-YUNFENG-YONGXIAN');
  [{ id: heYiVolunteer }] = await platform.volunteers.query(
    'SELECT v.id::text FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = $1',
    [PEOPLE.heYi],
  );
}, 120_000);

afterAll(async () => {
  await worker?.stop(); // before the platform drops the database the two share
  await platform?.stop();
});

const FIGURES = `query($id: ID!, $from: Date!, $to: Date!) {
  unit(id: $id) {
    dailyFigures(from: $from, to: $to) {
      day verifiedMinutes verifiedHours volunteersActive ordersPlaced ordersPlacedByCategory { category count }
      ordersClosed ordersClosedByCategory { category count } escalations pointsEarned pointsRedeemed pointsTransferred
      careVisitsDone careVisitsMissed
    }
  }
}`;
type Day = Record<string, unknown> & { day: string };
type Figures = { unit: { dailyFigures: Day[] | null } | null };

/** The daily figures of a subtree, computed from the services' own tables (nothing of the analytics database). */
async function figuresFromSources(path: string): Promise<Day[]> {
  const within = (column: string) => `(${column} = $1 OR ${column} LIKE $1 || '/%')`;
  const dayOf = (column: string) => `to_char((${column} AT TIME ZONE '${TZ}')::date, 'YYYY-MM-DD')`;
  const byCategory = async (column: string) =>
    (await platform.orders.query(
      `SELECT ${dayOf(column)} AS day, category, count(*)::int AS n FROM service_order
        WHERE ${column} IS NOT NULL AND ${within('scope_path')} GROUP BY 1, 2 ORDER BY 1, 2`,
      [path],
    )) as { day: string; category: string; n: number }[];
  const placed = await byCategory('created_at');
  const closed = await byCategory('closed_at');
  const escalations = (await platform.orders.query(
    `SELECT ${dayOf('e.escalated_at')} AS day, count(*)::int AS n FROM order_escalation e JOIN service_order o ON o.id = e.order_id
      WHERE ${within('o.scope_path')} GROUP BY 1`,
    [path],
  )) as { day: string; n: number }[];
  const verified = (await platform.volunteers.query(
    `SELECT ${dayOf('verified_at')} AS day, sum(minutes)::int AS minutes, count(DISTINCT volunteer_id)::int AS volunteers
       FROM service_record WHERE status = 'VERIFIED' AND ${within('unit_path')} GROUP BY 1`,
    [path],
  )) as { day: string; minutes: number; volunteers: number }[];
  const verifiedIds = (await platform.volunteers.query(`SELECT id::text FROM service_record WHERE status = 'VERIFIED' AND ${within('unit_path')}`, [path])).map(
    (row: { id: string }) => row.id,
  );
  const earned = (await platform.points.query(
    `SELECT ${dayOf('t.created_at')} AS day, sum(p.amount)::int AS points
       FROM ledger_transaction t JOIN posting p ON p.transaction_id = t.id JOIN points_account a ON a.id = p.account_id
      WHERE t.kind = 'CREDIT' AND t.status = 'POSTED' AND a.kind = 'PERSON' AND t.service_record_id = ANY($1::text[]) GROUP BY 1`,
    [verifiedIds],
  )) as { day: string; points: number }[];
  const days: string[] = [];
  for (let day = new Date(`${from}T00:00:00Z`); day.toISOString().slice(0, 10) <= to; day.setUTCDate(day.getUTCDate() + 1)) days.push(day.toISOString().slice(0, 10));
  const counts = (rows: { day: string; category: string; n: number }[], day: string) =>
    rows.filter((row) => row.day === day).map((row) => ({ category: row.category, count: row.n }));
  const total = (rows: { day: string; n: number }[], day: string) => rows.filter((row) => row.day === day).reduce((sum, row) => sum + row.n, 0);
  return days.map((day) => {
    const hours = verified.find((row) => row.day === day);
    return {
      day,
      verifiedMinutes: hours?.minutes ?? 0,
      verifiedHours: (hours?.minutes ?? 0) / 60,
      volunteersActive: hours?.volunteers ?? 0,
      ordersPlaced: total(placed, day),
      ordersPlacedByCategory: counts(placed, day),
      ordersClosed: total(closed, day),
      ordersClosedByCategory: counts(closed, day),
      escalations: total(escalations, day),
      pointsEarned: earned.find((row) => row.day === day)?.points ?? 0,
      // No redemption, transfer or care visit is made here: the sources hold none either.
      pointsRedeemed: 0,
      pointsTransferred: 0,
      careVisitsDone: 0,
      careVisitsMissed: 0,
    };
  });
}

describe('the daily figures through the gateway', () => {
  it('equal the figures computed from the source databases, once the figures job has applied the moves', async () => {
    from = beijingDay(new Date());
    const place = (title: string, category: string) =>
      must<{ placeOrder: { id: string } }>(move('placeOrder', 'PlaceOrderInput'), { input: { title, category, channel: 'APP', stationHintId: yingbin.id } }, tokens.zhou!);
    const { placeOrder: first } = await place('楼道灯不亮', 'SAFETY_FACILITIES');
    await place('独居老人需要陪同就医', 'ELDERLY_CARE');
    const steps: [string, string, string, Record<string, unknown>][] = [
      ['dispatchOrder', 'DispatchOrderInput', 'dispatcher', { stationId: yingbin.id }],
      ['acceptOrder', 'OrderIdInput', 'stationAdmin', {}],
      ['assignVolunteers', 'AssignVolunteersInput', 'stationAdmin', { volunteerIds: [heYiVolunteer] }],
      ['startService', 'OrderIdInput', 'stationAdmin', {}],
      ['deliverOrder', 'DeliverOrderInput', 'stationAdmin', { note: '已更换灯泡', outcome: 'FULL', minutes: [{ volunteerId: heYiVolunteer, minutes: 45 }] }],
      ['evaluateOrder', 'EvaluateOrderInput', 'zhou', { rating: 5, resolved: 'YES' }],
      ['closeOrder', 'OrderIdInput', 'service', {}],
    ];
    for (const [name, input, who, rest] of steps) await must(move(name, input), { input: { orderId: first.id, ...rest } }, tokens[who]!);

    // The delivery's minutes become 何毅's pending record (volunteers-inbox); the station verifies it, and the love bank
    // credits it (points-credit).
    const record = await eventuallyValue(async () => {
      const [row] = await platform.volunteers.query(`SELECT id::text FROM service_record WHERE order_id = $1 AND status = 'PENDING'`, [first.id]);
      return (row as { id: string } | undefined)?.id;
    });
    await must(`mutation($input: ServiceRecordIdInput!) { verifyServiceRecord(input: $input) { id status } }`, { input: { recordId: record } }, tokens.stationAdmin!);
    await eventually(async () => (await platform.points.query(`SELECT 1 FROM ledger_transaction WHERE service_record_id = $1 AND status = 'POSTED'`, [record])).length === 1);
    to = beijingDay(new Date());

    const expected = await figuresFromSources(hanfeng.path);
    expect(expected.reduce((sum, day) => sum + Number(day.ordersPlaced), 0)).toBe(2);
    expect(expected.reduce((sum, day) => sum + Number(day.verifiedMinutes), 0)).toBe(45);
    expect(expected.reduce((sum, day) => sum + Number(day.pointsEarned), 0)).toBeGreaterThan(0);
    // The figures job applies events as they come: wait for the figures themselves.
    let last: GraphQLResult<Figures> | undefined;
    await eventually(async () => {
      last = await platform.query<Figures>(FIGURES, { id: hanfeng.id, from, to }, { token: tokens.hanfengAnalyst });
      return JSON.stringify(last.data?.unit?.dailyFigures) === JSON.stringify(expected);
    }, 30_000).catch(() => undefined);
    expect(last?.errors).toBeUndefined();
    expect(last?.data?.unit?.dailyFigures).toEqual(expected);

    // The station's own subtree holds all of it too; the other institute's holds none of it.
    const station = await platform.query<Figures>(FIGURES, { id: yingbin.id, from, to }, { token: tokens.stationAdmin });
    expect(station.data!.unit!.dailyFigures).toEqual(await figuresFromSources(yingbin.path));
    const yunfeng = await platform.unit('KZ-YUNFENG');
    const other = await platform.query<Figures>(FIGURES, { id: yunfeng.id, from, to }, { token: tokens.yunfengAnalyst });
    expect(other.data!.unit!.dailyFigures!.every((day) => day.ordersPlaced === 0 && day.verifiedMinutes === 0)).toBe(true);
  });

  it('are null with FORBIDDEN outside the caller’s subtree, and refuse a range that is inverted or too long', async () => {
    const day = beijingDay(new Date());
    for (const [who, token] of [
      ['a station admin of another station', tokens.yongxianAdmin],
      ['an analyst of another institute', tokens.yunfengAnalyst],
      ['a resident', tokens.zhou],
    ] as const) {
      const refused = await platform.query<Figures>(FIGURES, { id: yingbin.id, from: day, to: day }, { token });
      expect([who, refused.data?.unit?.dailyFigures, errorCodes(refused)]).toEqual([who, null, ['FORBIDDEN']]);
      // The unit itself stays readable: only the figures are refused.
      expect(refused.data?.unit).not.toBeNull();
    }
    const tooLong = await platform.query<Figures>(FIGURES, { id: yingbin.id, from: '2025-01-01', to: '2026-01-02' }, { token: tokens.hanfengAnalyst, language: 'zh-CN' });
    expect(errorCodes(tooLong)).toEqual(['BAD_USER_INPUT']);
    expect(tooLong.errors![0]!.message).toBe('to：2025-01-01 至 2026-01-02 共 367 天，每次最多查询 366 天。');
    const inverted = await platform.query<Figures>(FIGURES, { id: yingbin.id, from: '2026-03-10', to: '2026-03-09' }, { token: tokens.hanfengAnalyst });
    expect(errorCodes(inverted)).toEqual(['BAD_USER_INPUT']);
    expect(inverted.errors![0]!.extensions).toMatchObject({ field: 'to', from: '2026-03-10', to: '2026-03-09' });
  });
});
