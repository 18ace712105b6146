import { errorCodes, eventuallyValue } from '@kz/testing';
import { Platform, startPlatform } from './stack';
import { readSupergraph } from './supergraph-schema';

/**
 * Recognition (办法 Arts. 8–10; issue 23 parts 6 and 7) through the gateway: a volunteer whose verified hours pass
 * 100 is eligible for 1★ but shows no star until a station admin grants it; 2★ is refused to a 1★-eligible
 * volunteer; the center admin's threshold table moves eligibility; a training with attendance and an award appear on
 * the volunteer; a resident's rating of an order becomes feedback on the volunteer who served it.
 */
const CENTER_ADMIN = '13900230001';
const STATION_ADMIN = '13900230005'; // 迎宾社区
const DISPATCHER = '13900230002';
const VOLUNTEER_HE_YI = '13900230007';
const RESIDENT_ZHOU = '13900230008';

const VERIFY = `mutation($input: ServiceRecordIdInput!) { verifyServiceRecord(input: $input) { id status } }`;
const VIEW = `query($id: ID!) { volunteer(id: $id) {
  verifiedMinutes star { name starLevel kind grantingBody grantingUnit { id name } }
  starEligibility { level verifiedHours nextLevel nextLevelHours }
  awards { name kind grantingBody proof recordedBy { id } }
  trainings { name content hours heldOn organizer { id name } } } }`;
const GRANT = `mutation($input: GrantStarInput!) { grantStar(input: $input) { id starLevel } }`;
const THRESHOLDS = `mutation($input: SetStarThresholdsInput!) { setStarThresholds(input: $input) { level hours } }`;
const LADDER = `{ starThresholds { level hours } }`;
const TRAINING = `mutation($input: RecordTrainingInput!) { recordTraining(input: $input) { id } }`;
const AWARD = `mutation($input: RecordAwardInput!) { recordAward(input: $input) { id } }`;

type View = {
  verifiedMinutes: number;
  star: { name: string; starLevel: number; kind: string; grantingBody: string; grantingUnit: { id: string; name: string } } | null;
  starEligibility: { level: number; verifiedHours: number; nextLevel: number | null; nextLevelHours: number | null };
  awards: { name: string; kind: string; grantingBody: string; proof: string | null; recordedBy: { id: string } | null }[];
  trainings: { name: string; content: string; hours: number; heldOn: string; organizer: { id: string; name: string } }[];
};

let platform: Platform;
let yingbin: { id: string; path: string };
let center: string;
let station: string;
let volunteerId: string;

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  center = await platform.login(CENTER_ADMIN);
  station = await platform.login(STATION_ADMIN);
  const [person] = await platform.volunteers.query(`INSERT INTO person (real_name, mobile) VALUES ('星级测试', '13900239901') RETURNING id::text`);
  [{ id: volunteerId }] = await platform.volunteers.query(
    `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, 'ACTIVE', $2, $3) RETURNING id::text`,
    [person.id, yingbin.id, yingbin.path],
  );
}, 120_000);

afterAll(() => platform?.stop());

async function must<T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const result = await platform.query<T>(query, variables, { token });
  if (result.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(result.errors)}`);
  return result.data!;
}

const view = async (): Promise<View> => (await must<{ volunteer: View }>(VIEW, { id: volunteerId }, station)).volunteer;

/** A pending offline record of the test volunteer at 迎宾, verified by the station admin through the gateway. */
async function verifiedService(day: number, minutes: number): Promise<void> {
  const [record] = await platform.volunteers.query(
    `INSERT INTO service_record (volunteer_id, unit_id, unit_path, category, title, started_at, minutes, source, created_by, place, content, evidence)
     VALUES ($1, $2, $3, 'ENVIRONMENT', '汉丰湖护湖', $4, $5, 'OFFLINE', 'test', '汉丰湖滨', '清理湖岸垃圾', '签到表') RETURNING id::text`,
    [volunteerId, yingbin.id, yingbin.path, `2026-03-${String(day).padStart(2, '0')}T01:00:00Z`, minutes],
  );
  await must(VERIFY, { input: { recordId: record.id } }, station);
}

it('is eligible for 1★ past 100 verified hours but shows no star until the station grants one; 2★ is refused', async () => {
  for (let day = 1; day <= 5; day += 1) await verifiedService(day, 1230); // 102.5 hours
  const before = await view();
  expect(before.verifiedMinutes).toBe(6150);
  expect(before.starEligibility).toEqual({ level: 1, verifiedHours: 102.5, nextLevel: 2, nextLevelHours: 300 });
  expect(before.star).toBeNull();

  const refused = await platform.query(GRANT, { input: { volunteerId, level: 2 } }, { token: station });
  expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
  expect(refused.errors![0]!.extensions).toMatchObject({ field: 'input.level', neededHours: 300, eligibleLevel: 1 });
  expect((await view()).star).toBeNull();

  await must(GRANT, { input: { volunteerId, level: 1 } }, station);
  expect((await view()).star).toMatchObject({ name: '1星志愿者', starLevel: 1, kind: 'STAR', grantingUnit: { id: yingbin.id } });
});

it("follows the center admin's threshold table", async () => {
  expect(errorCodes(await platform.query(THRESHOLDS, { input: { hours: [50, 100] } }, { token: station }))).toEqual(['FORBIDDEN']);
  try {
    await must(THRESHOLDS, { input: { hours: [50, 100, 200] } }, center);
    expect((await must<{ starThresholds: unknown }>(LADDER, {}, station)).starThresholds).toEqual([
      { level: 1, hours: 50 },
      { level: 2, hours: 100 },
      { level: 3, hours: 200 },
    ]);
    expect((await view()).starEligibility).toEqual({ level: 2, verifiedHours: 102.5, nextLevel: 3, nextLevelHours: 200 });
    // Eligibility is not a star: the granted 1★ stays the star until 2★ is granted.
    expect((await view()).star).toMatchObject({ starLevel: 1 });
    await must(GRANT, { input: { volunteerId, level: 2 } }, station);
    expect((await view()).star).toMatchObject({ starLevel: 2 });
  } finally {
    await must(THRESHOLDS, { input: { hours: [100, 300, 600, 1000, 1500] } }, center);
  }
  expect((await view()).starEligibility.level).toBe(1);
});

it('shows a training with attendance and an award on the volunteer', async () => {
  await must(
    TRAINING,
    { input: { unitId: yingbin.id, name: '应急救护培训', content: '心肺复苏与止血包扎', hours: 2, heldOn: '2026-04-01', volunteerIds: [volunteerId] } },
    station,
  );
  await must(
    AWARD,
    { input: { volunteerId, name: '开州区优秀志愿者', awardedOn: '2026-04-02', kind: 'HIGHER_BODY', grantingBody: '开州区文明办', proof: '开文明办〔2026〕8号' } },
    station,
  );
  const shown = await view();
  expect(shown.trainings).toEqual([{ name: '应急救护培训', content: '心肺复苏与止血包扎', hours: 2, heldOn: '2026-04-01', organizer: { id: yingbin.id, name: expect.any(String) } }]);
  expect(shown.awards).toEqual(
    expect.arrayContaining([expect.objectContaining({ name: '开州区优秀志愿者', kind: 'HIGHER_BODY', grantingBody: '开州区文明办', proof: '开文明办〔2026〕8号' })]),
  );
});

it("turns a resident's order rating into feedback on the volunteer who served the order, beside their quality", async () => {
  const mutations = readSupergraph().mutations;
  const tokens: Record<string, string> = {
    zhou: await platform.login(RESIDENT_ZHOU),
    dispatcher: await platform.login(DISPATCHER),
    station,
  };
  const run = async (name: string, input: Record<string, unknown>, who: string): Promise<{ id: string; status: string }> =>
    (await must<Record<string, { id: string; status: string }>>(`mutation($input: ${mutations.get(name)!.inputType}!) { ${name}(input: $input) { id status } }`, { input }, tokens[who]!))[name]!;
  const [{ id: heYi }] = await platform.volunteers.query(
    'SELECT v.id::text FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = $1',
    [VOLUNTEER_HE_YI],
  );
  const { id: orderId } = await run('placeOrder', { title: '楼道灯不亮', category: 'SAFETY_FACILITIES', channel: 'WECHAT', stationHintId: yingbin.id }, 'zhou');
  await run('dispatchOrder', { orderId, stationId: yingbin.id }, 'dispatcher');
  await run('acceptOrder', { orderId }, 'station');
  await run('assignVolunteers', { orderId, volunteerIds: [heYi] }, 'station');
  await run('startService', { orderId }, 'station');
  await run('deliverOrder', { orderId, note: '更换了灯泡', outcome: 'FULL', minutes: [{ volunteerId: heYi, minutes: 40 }] }, 'station');
  await run('evaluateOrder', { orderId, rating: 4, resolved: 'YES' }, 'zhou');

  type Node = { orderId: string | null; residentFeedback: { rating: number; resolved: string; round: number } | null };
  const feedback = await eventuallyValue(async () => {
    const data = await must<{ serviceRecords: { edges: { node: Node }[] } }>(
      `query($filter: ServiceRecordFilter) { serviceRecords(filter: $filter, first: 100) { edges { node { orderId residentFeedback { rating resolved round } } } } }`,
      { filter: { volunteerId: heYi } },
      station,
    );
    return data.serviceRecords.edges.find((edge) => edge.node.orderId === orderId)?.node.residentFeedback ?? undefined;
  });
  expect(feedback).toEqual({ rating: 4, resolved: 'YES', round: 1 });
  const quality = await must<{ volunteer: { quality: { feedbacks: number; averageFeedbackRating: number | null } } }>(
    `query($id: ID!) { volunteer(id: $id) { quality { feedbacks averageFeedbackRating } } }`,
    { id: heYi },
    station,
  );
  expect(quality.volunteer.quality.feedbacks).toBeGreaterThanOrEqual(1);
});
