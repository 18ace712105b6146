import { RunningSubgraph } from '@kz/subgraph';
import { aCaller, errorCodes, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startVolunteersSubgraph } from '../app';
import { upsertUnitRefs } from '../units/unit-ref';
import { CENTER, centerAdmin, INSTITUTE, OTHER_INSTITUTE, OTHER_STATION, STATION } from '../testing/unit-tree';

/** Trainings, awards and stars (办法 Arts. 8–10; issue 23 parts 6 and 7), against the real database. */

const center = centerAdmin;
const stationAdmin = aCaller.staff('STATION_ADMIN', STATION, 'p-station');
const otherStationAdmin = aCaller.staff('STATION_ADMIN', OTHER_STATION, 'p-other');
const gridWorker = aCaller.staff('GRID_WORKER', STATION, 'p-grid');

const VIEW = `query($id: ID!) { volunteer(id: $id) {
  id star { name starLevel kind grantingBody grantingUnit { id } awardedOn } starSince
  starEligibility { level verifiedHours nextLevel nextLevelHours }
  awards { name kind grantingBody proof starLevel }
  trainings { name content hours heldOn organizer { id } } } }`;
const GRANT = `mutation($input: GrantStarInput!) { grantStar(input: $input) { id name starLevel kind grantingBody } }`;
const THRESHOLDS = `mutation($input: SetStarThresholdsInput!) { setStarThresholds(input: $input) { level hours } }`;
const AWARD = `mutation($input: RecordAwardInput!) { recordAward(input: $input) { id kind grantingBody proof grantingUnit { id } } }`;
const TRAINING = `mutation($input: RecordTrainingInput!) { recordTraining(input: $input) { id hours organizer { id } } }`;

type View = {
  starSince: string | null;
  star: { name: string; starLevel: number; kind: string; grantingBody: string; grantingUnit: { id: string }; awardedOn: string } | null;
  starEligibility: { level: number; verifiedHours: number; nextLevel: number | null; nextLevelHours: number | null };
  awards: { name: string; kind: string; grantingBody: string; proof: string | null; starLevel: number | null }[];
  trainings: { name: string; content: string; hours: number; heldOn: string; organizer: { id: string } }[];
};

describe('recognition: trainings, awards and stars (办法 Arts. 8–10)', () => {
  let alone: SubgraphAlone<RunningSubgraph>;
  let serial = 0;
  const db = () => alone.running.dataSource;

  async function aVolunteer(verifiedHours: number, station: { id: string; path: string } = STATION): Promise<string> {
    serial += 1;
    const [person] = await db().query(`INSERT INTO person (real_name, mobile) VALUES ($1, $2) RETURNING id::text`, [
      `志愿者${serial}`,
      `1370055${String(serial).padStart(4, '0')}`,
    ]);
    const [row] = await db().query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path, verified_minutes) VALUES ($1, 'ACTIVE', $2, $3, $4) RETURNING id::text`,
      [person.id, station.id, station.path, verifiedHours * 60],
    );
    return row.id;
  }

  async function view(id: string): Promise<View> {
    const result = await alone.ask<{ volunteer: View }>(VIEW, { id }, center);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!.volunteer;
  }

  beforeAll(async () => {
    alone = await startSubgraphAlone('VOLUNTEERS_DATABASE', (config) => startVolunteersSubgraph(config, { port: 0 }), center);
    await db().transaction((manager) => upsertUnitRefs(manager, [CENTER, INSTITUTE, STATION, OTHER_INSTITUTE, OTHER_STATION], new Date(0).toISOString()));
  });

  afterAll(() => alone?.stop());

  it('computes eligibility from verified hours, but shows no star until a unit grants one', async () => {
    const id = await aVolunteer(120);
    expect(await view(id)).toMatchObject({ star: null, starSince: null, starEligibility: { level: 1, verifiedHours: 120, nextLevel: 2, nextLevelHours: 300 } });
    const granted = await alone.ask(GRANT, { input: { volunteerId: id, level: 1, awardedOn: '2026-05-04' } }, stationAdmin);
    expect(granted.errors).toBeUndefined();
    expect((await view(id)).star).toEqual({
      name: '1星志愿者',
      starLevel: 1,
      kind: 'STAR',
      grantingBody: STATION.name,
      grantingUnit: { id: STATION.id },
      awardedOn: '2026-05-04',
    });
    expect((await view(id)).starSince).toBe('2026-05-04');
  });

  it('refuses a level the hours do not reach, naming what it needs', async () => {
    const id = await aVolunteer(150);
    const refused = await alone.ask(GRANT, { input: { volunteerId: id, level: 2 } }, stationAdmin);
    expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors![0]!.extensions).toMatchObject({ field: 'input.level', neededHours: 300, eligibleLevel: 1 });
    expect(refused.errors![0]!.message).toContain('300');
    const offLadder = await alone.ask(GRANT, { input: { volunteerId: id, level: 7 } }, stationAdmin);
    expect(offLadder.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.level', min: 1, max: 5 });
    expect((await view(id)).star).toBeNull();
  });

  it('lets only admins in scope of the home station grant', async () => {
    const id = await aVolunteer(400);
    expect(errorCodes(await alone.ask(GRANT, { input: { volunteerId: id, level: 1 } }, otherStationAdmin))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await alone.ask(GRANT, { input: { volunteerId: id, level: 1 } }, gridWorker))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await alone.ask(GRANT, { input: { volunteerId: id, level: 1 } }, { sub: 'p-vol', roles: ['RESIDENT', 'VOLUNTEER'] }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await alone.ask(GRANT, { input: { volunteerId: '999999', level: 1 } }, stationAdmin))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await alone.ask(GRANT, { input: { volunteerId: '999999', level: 1 } }, center))).toEqual(['NOT_FOUND']);
    expect((await view(id)).star).toBeNull();
  });

  it('grants a level once: a repeat answers the same award, and of concurrent grants one is written', async () => {
    const id = await aVolunteer(700);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => alone.ask<{ grantStar: { id: string } }>(GRANT, { input: { volunteerId: id, level: 3 } }, stationAdmin)),
    );
    expect(results.flatMap((result) => result.errors ?? [])).toEqual([]);
    expect(new Set(results.map((result) => result.data!.grantStar.id)).size).toBe(1);
    const [{ n }] = await db().query('SELECT count(*)::int AS n FROM award WHERE volunteer_id = $1', [id]);
    expect(n).toBe(1);
    expect(errorCodes(await alone.ask(GRANT, { input: { volunteerId: id, level: 2 } }, center))).toEqual([]);
    expect((await view(id)).star).toMatchObject({ starLevel: 3 });
  });

  it('tells the volunteer of each star once: one volunteer.star.awarded per level granted, none for a repeat', async () => {
    const id = await aVolunteer(350);
    const [{ person_id: personId }] = await db().query('SELECT person_id::text FROM volunteer WHERE id = $1', [id]);
    const grants = await Promise.all(
      Array.from({ length: 4 }, () => alone.ask<{ grantStar: { id: string } }>(GRANT, { input: { volunteerId: id, level: 2, awardedOn: '2026-06-01' } }, stationAdmin)),
    );
    expect(grants.flatMap((result) => result.errors ?? [])).toEqual([]);
    expect(errorCodes(await alone.ask(GRANT, { input: { volunteerId: id, level: 1, awardedOn: '2026-06-02' } }, stationAdmin))).toEqual([]);
    expect(errorCodes(await alone.ask(GRANT, { input: { volunteerId: id, level: 1 } }, stationAdmin))).toEqual([]);
    const events: { payload: Record<string, unknown>; unit_path: string }[] = await db().query(
      `SELECT payload, unit_path FROM outbox WHERE type = 'volunteer.star.awarded' AND payload->>'volunteerId' = $1 ORDER BY seq`,
      [id],
    );
    expect(events).toEqual([
      {
        unit_path: STATION.path,
        payload: {
          awardId: grants[0]!.data!.grantStar.id,
          volunteerId: id,
          personId,
          level: 2,
          name: '2星志愿者',
          awardedOn: '2026-06-01',
          grantingUnitId: STATION.id,
          grantingUnitName: STATION.name,
          stationId: STATION.id,
        },
      },
      expect.objectContaining({ payload: expect.objectContaining({ level: 1, name: '1星志愿者', awardedOn: '2026-06-02' }) }),
    ]);
  });

  it('tells the station and the volunteer when verified hours pass a level not yet granted, never granting it', async () => {
    const VERIFY = `mutation($id: ID!) { verifyServiceRecord(input: { recordId: $id }) { id status } }`;
    const CORRECT = `mutation($id: ID!, $minutes: Int!) { correctServiceMinutes(input: { recordId: $id, minutes: $minutes, reason: "核对签到表" }) { id minutes } }`;
    const id = await aVolunteer(99);
    const aPendingRecord = async (minutes: number): Promise<string> => {
      const [row] = await db().query(
        `INSERT INTO service_record (volunteer_id, unit_id, unit_path, category, title, started_at, minutes, status, source, evidence, created_by)
         VALUES ($1, $2, $3, 'ENVIRONMENT', '腾龙广场环境整治', now() - interval '1 day', $4, 'PENDING', 'OFFLINE', '签到表', 'test') RETURNING id::text`,
        [id, STATION.id, STATION.path, minutes],
      );
      return row.id;
    };
    const eligible = async () =>
      (await db().query(`SELECT payload FROM outbox WHERE type = 'volunteer.star.eligible' AND payload->>'volunteerId' = $1 ORDER BY seq`, [id])).map(
        (row: { payload: { level: number; verifiedHours: number; neededHours: number } }) => row.payload,
      );
    // 99 h + 30 min: still below 1★.
    expect(errorCodes(await alone.ask(VERIFY, { id: await aPendingRecord(30) }, stationAdmin))).toEqual([]);
    expect(await eligible()).toEqual([]);
    // + 60 min: 100.5 h, past 1★ (100 h).
    expect(errorCodes(await alone.ask(VERIFY, { id: await aPendingRecord(60) }, stationAdmin))).toEqual([]);
    expect(await eligible()).toEqual([expect.objectContaining({ level: 1, name: '1星志愿者', neededHours: 100, verifiedHours: 100.5, stationId: STATION.id })]);
    // More hours within the level, and corrections down, announce nothing more.
    const record = await aPendingRecord(60);
    expect(errorCodes(await alone.ask(VERIFY, { id: record }, stationAdmin))).toEqual([]); // 101.5 h
    expect(errorCodes(await alone.ask(CORRECT, { id: record, minutes: 0 }, stationAdmin))).toEqual([]); // 100.5 h
    expect(await eligible()).toHaveLength(1);
    // Granted now: passing 1★ again says nothing; jumping past 2★ (300 h) at once announces 2★ only.
    expect(errorCodes(await alone.ask(GRANT, { input: { volunteerId: id, level: 1 } }, stationAdmin))).toEqual([]);
    await db().query(`UPDATE volunteer SET verified_minutes = 299 * 60 WHERE id = $1`, [id]);
    expect(errorCodes(await alone.ask(CORRECT, { id: record, minutes: 90 }, stationAdmin))).toEqual([]); // 300.5 h
    expect((await eligible()).map((event: { level: number }) => event.level)).toEqual([1, 2]);
    expect((await view(id)).star).toMatchObject({ starLevel: 1 });
  });

  it('follows the threshold table the center admin sets, keeping stars granted', async () => {
    const id = await aVolunteer(250);
    expect((await view(id)).starEligibility.level).toBe(1);
    expect(errorCodes(await alone.ask(THRESHOLDS, { input: { hours: [50, 200, 400] } }, stationAdmin))).toEqual(['FORBIDDEN']);
    const falling = await alone.ask(THRESHOLDS, { input: { hours: [50, 40] } }, center);
    expect(errorCodes(falling)).toEqual(['BAD_USER_INPUT']);
    expect(falling.errors![0]!.extensions).toMatchObject({ field: 'input.hours.1' });
    try {
      const set = await alone.ask<{ setStarThresholds: { level: number; hours: number }[] }>(THRESHOLDS, { input: { hours: [50, 200, 400] } }, center);
      expect(set.data!.setStarThresholds).toEqual([
        { level: 1, hours: 50 },
        { level: 2, hours: 200 },
        { level: 3, hours: 400 },
      ]);
      expect((await view(id)).starEligibility).toEqual({ level: 2, verifiedHours: 250, nextLevel: 3, nextLevelHours: 400 });
      expect(errorCodes(await alone.ask(GRANT, { input: { volunteerId: id, level: 2 } }, stationAdmin))).toEqual([]);
    } finally {
      await alone.ask(THRESHOLDS, { input: { hours: [100, 300, 600, 1000, 1500] } }, center);
    }
    expect((await view(id)).starEligibility.level).toBe(1);
    expect((await view(id)).star).toMatchObject({ starLevel: 2 });
  });

  it("records a unit's own award, and a higher body's only with its proof", async () => {
    const id = await aVolunteer(10);
    const own = await alone.ask(AWARD, { input: { volunteerId: id, name: '优秀志愿者', awardedOn: '2026-03-05', kind: 'UNIT' } }, stationAdmin);
    expect(own.errors).toBeUndefined();
    expect(own.data).toMatchObject({ recordAward: { kind: 'UNIT', grantingBody: STATION.name, grantingUnit: { id: STATION.id }, proof: null } });
    const higher = { volunteerId: id, name: '开州区优秀志愿者', awardedOn: '2026-03-05', kind: 'HIGHER_BODY', grantingBody: '开州区文明办' };
    const noProof = await alone.ask(AWARD, { input: higher }, stationAdmin);
    expect(errorCodes(noProof)).toEqual(['BAD_USER_INPUT']);
    expect(noProof.errors![0]!.extensions).toMatchObject({ field: 'input.proof' });
    expect(noProof.errors![0]!.message).toContain('proof');
    expect((await alone.ask(AWARD, { input: { ...higher, proof: '开文明办〔2026〕12号' } }, stationAdmin)).errors).toBeUndefined();
    expect(errorCodes(await alone.ask(AWARD, { input: { ...higher, proof: 'x' } }, otherStationAdmin))).toEqual(['FORBIDDEN']);
    expect((await view(id)).awards.map((award) => [award.kind, award.grantingBody, award.proof])).toEqual(
      expect.arrayContaining([
        ['UNIT', STATION.name, null],
        ['HIGHER_BODY', '开州区文明办', '开文明办〔2026〕12号'],
      ]),
    );
    expect((await view(id)).star).toBeNull();
  });

  it('records a training with its attendance on each attending volunteer', async () => {
    const [a, b, absent] = [await aVolunteer(1), await aVolunteer(1), await aVolunteer(1)];
    const input = { unitId: STATION.id, name: '应急救护培训', content: '心肺复苏与止血包扎', hours: 2.5, heldOn: '2026-04-01', volunteerIds: [a, b] };
    expect(errorCodes(await alone.ask(TRAINING, { input }, otherStationAdmin))).toEqual(['FORBIDDEN']);
    const unknown = await alone.ask(TRAINING, { input: { ...input, volunteerIds: [a, '999999'] } }, stationAdmin);
    expect(unknown.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.volunteerIds.1' });
    const made = await alone.ask(TRAINING, { input }, stationAdmin);
    expect(made.data).toMatchObject({ recordTraining: { hours: 2.5, organizer: { id: STATION.id } } });
    for (const id of [a, b]) {
      expect((await view(id)).trainings).toEqual([{ name: '应急救护培训', content: '心肺复苏与止血包扎', hours: 2.5, heldOn: '2026-04-01', organizer: { id: STATION.id } }]);
    }
    expect((await view(absent)).trainings).toEqual([]);
  });
});
