import type { Claims } from '@kz/auth';
import { RunningSubgraph } from '@kz/subgraph';
import { aCaller, errorCodes, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startVolunteersSubgraph } from '../app';
import { upsertUnitRefs } from '../units/unit-ref';
import { CENTER, centerAdmin, INSTITUTE, OTHER_INSTITUTE, OTHER_STATION, STATION } from '../testing/unit-tree';

/** Correction requests (办法 Art. 13) in the volunteers subgraph, against its real database. */

const center = centerAdmin;
const otherStationAdmin = aCaller.staff('STATION_ADMIN', OTHER_STATION, 'p-other');

const REQUEST_FIELDS = `id currentMinutes proposedMinutes reason status requestedBy { id } decidedBy { id } decisionReason
  record { id minutes history { action oldMinutes newMinutes reason changedBy { id } } correctionRequests { id status } }`;
const REQUEST = `mutation($input: RequestServiceRecordCorrectionInput!) { requestServiceRecordCorrection(input: $input) { ${REQUEST_FIELDS} } }`;
const ACCEPT = `mutation($input: DecideServiceRecordCorrectionInput!) { acceptServiceRecordCorrection(input: $input) { ${REQUEST_FIELDS} } }`;
const DECLINE = `mutation($input: DecideServiceRecordCorrectionInput!) { declineServiceRecordCorrection(input: $input) { ${REQUEST_FIELDS} } }`;
const MINE = `query($first: Int, $after: String) { myServiceRecordCorrections(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id status } } } }`;
const OPEN = `query($representations: [_Any!]!, $first: Int, $after: String) { _entities(representations: $representations) {
  ... on PracticeUnit { openServiceRecordCorrections(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id record { id } } } } } } }`;

type History = { action: string; oldMinutes: number | null; newMinutes: number | null; reason: string | null; changedBy: { id: string } | null }[];
type RequestView = {
  id: string;
  currentMinutes: number;
  proposedMinutes: number;
  reason: string;
  status: string;
  requestedBy: { id: string } | null;
  decidedBy: { id: string } | null;
  decisionReason: string | null;
  record: { id: string; minutes: number; history: History; correctionRequests: { id: string; status: string }[] };
};
type Page = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { cursor: string; node: { id: string; status?: string; record?: { id: string } } }[] };

describe('correction requests (办法 Art. 13)', () => {
  let alone: SubgraphAlone<RunningSubgraph>;
  let volunteer: Claims;
  let volunteerId: string;
  let otherVolunteer: Claims;
  let otherVolunteerId: string;
  let serial = 0;
  /** People of the station's admins, so the history and `decidedBy` name them. */
  let staffIds: string[];
  const stationAdmin = (n: number) => aCaller.staff('STATION_ADMIN', STATION, staffIds[n]);

  const db = () => alone.running.dataSource;

  /** A person with an active volunteer profile at 迎宾 (`1/2/5`); their claims and volunteer id. */
  async function aVolunteer(): Promise<[Claims, string]> {
    serial += 1;
    const [person] = await db().query(`INSERT INTO person (real_name, mobile) VALUES ('李志愿', $1) RETURNING id::text`, [`1370032${String(serial).padStart(4, '0')}`]);
    const [row] = await db().query(`INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, 'ACTIVE', 5, '1/2/5') RETURNING id::text`, [
      person.id,
    ]);
    return [{ sub: person.id, roles: ['RESIDENT', 'VOLUNTEER'] }, row.id];
  }

  /** A record of the volunteer at 迎宾, counted in their total when verified, as verifying does. */
  async function aRecord(owner: string, minutes: number, status: 'VERIFIED' | 'PENDING' = 'VERIFIED'): Promise<string> {
    const [record] = await db().query(
      `INSERT INTO service_record (volunteer_id, unit_id, unit_path, category, title, started_at, minutes, status, source, evidence, created_by, verified_by, verified_at)
       VALUES ($1, 5, '1/2/5', 'ENVIRONMENT', '腾龙广场环境整治', now() - interval '1 day', $2, $3, 'OFFLINE', '签到表', 'test', 'test', now()) RETURNING id::text`,
      [owner, minutes, status],
    );
    if (status === 'VERIFIED') await db().query('UPDATE volunteer SET verified_minutes = verified_minutes + $2, service_count = service_count + 1 WHERE id = $1', [owner, minutes]);
    return record.id;
  }

  async function request(recordId: string, minutes: number, claims = volunteer, reason = '签退时手机没电，实际服务到 11 点') {
    return alone.ask<{ requestServiceRecordCorrection: RequestView }>(REQUEST, { input: { recordId, minutes, reason } }, claims);
  }
  async function mustRequest(recordId: string, minutes: number): Promise<RequestView> {
    const result = await request(recordId, minutes);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!.requestServiceRecordCorrection;
  }
  const totalOf = async (id: string): Promise<number> => (await db().query('SELECT verified_minutes FROM volunteer WHERE id = $1', [id]))[0].verified_minutes;
  const outbox = (type: string, recordId: string): Promise<{ payload: Record<string, unknown> }[]> =>
    db().query(`SELECT payload FROM outbox WHERE type = $1 AND payload->>'serviceRecordId' = $2`, [type, recordId]);

  beforeAll(async () => {
    alone = await startSubgraphAlone('VOLUNTEERS_DATABASE', (config) => startVolunteersSubgraph(config, { port: 0 }), center);
    await db().transaction((manager) => upsertUnitRefs(manager, [CENTER, INSTITUTE, STATION, OTHER_INSTITUTE, OTHER_STATION], new Date(0).toISOString()));
    [volunteer, volunteerId] = await aVolunteer();
    [otherVolunteer, otherVolunteerId] = await aVolunteer();
    staffIds = (
      await db().query(`INSERT INTO person (real_name, mobile) SELECT '站长' || n, '1370099' || lpad(n::text, 4, '0') FROM generate_series(0, 11) AS n RETURNING id::text`)
    ).map((row: { id: string }) => row.id);
  });

  afterAll(() => alone?.stop());

  it('a volunteer disputes their own verified record: the request is open, the history names them, nothing moves yet', async () => {
    const recordId = await aRecord(volunteerId, 60);
    const before = await totalOf(volunteerId);
    const opened = await mustRequest(recordId, 90);
    expect(opened).toMatchObject({ currentMinutes: 60, proposedMinutes: 90, status: 'OPEN', requestedBy: { id: volunteer.sub }, decidedBy: null });
    expect(opened.record.minutes).toBe(60);
    expect(opened.record.history.at(-1)).toEqual({
      action: 'CORRECTION_REQUESTED',
      oldMinutes: 60,
      newMinutes: 90,
      reason: '签退时手机没电，实际服务到 11 点',
      changedBy: { id: volunteer.sub },
    });
    expect(opened.record.correctionRequests).toEqual([{ id: opened.id, status: 'OPEN' }]);
    expect(await totalOf(volunteerId)).toBe(before);

    // One open request per record.
    const again = await request(recordId, 80);
    expect(errorCodes(again)).toEqual(['CONFLICT']);
    expect(again.errors![0]!.extensions).toMatchObject({ field: 'input.recordId', value: opened.id });
    expect(again.errors![0]!.message).toContain('open correction request');
  });

  it('refuses a record of someone else, a pending record and the record’s own minutes, each with its code, storing nothing', async () => {
    const others = await aRecord(otherVolunteerId, 60);
    const pending = await aRecord(volunteerId, 60, 'PENDING');
    const verified = await aRecord(volunteerId, 45);
    expect(errorCodes(await request(others, 90))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await request(verified, 50, otherVolunteer))).toEqual(['FORBIDDEN']);
    // Staff who see the record cannot dispute it for the volunteer either.
    expect(errorCodes(await request(others, 90, stationAdmin(1)))).toEqual(['FORBIDDEN']);
    const notVerified = await request(pending, 90);
    expect(errorCodes(notVerified)).toEqual(['INVALID_TRANSITION']);
    expect(notVerified.errors![0]!.extensions).toMatchObject({ entity: 'service record', from: 'PENDING', event: 'requestCorrection' });
    const same = await request(verified, 45);
    expect(errorCodes(same)).toEqual(['BAD_USER_INPUT']);
    expect(same.errors![0]!.extensions).toMatchObject({ field: 'input.minutes', minutes: 45 });
    expect(errorCodes(await request(verified, 1441))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await request(verified, 50, volunteer, '  '))).toEqual(['BAD_USER_INPUT']);
    // An unknown record looks like someone else's, except to the center admin (who has no record of their own).
    expect(errorCodes(await request('999999999', 50))).toEqual(['FORBIDDEN']);
    const [{ n }] = await db().query('SELECT count(*)::int AS n FROM service_record_correction_request WHERE record_id = ANY($1::bigint[])', [[others, pending, verified]]);
    expect(n).toBe(0);
  });

  it('accepts a request exactly once when ten admins decide at the same moment: minutes, total and points event move once', async () => {
    const recordId = await aRecord(volunteerId, 60);
    const opened = await mustRequest(recordId, 95);
    const before = await totalOf(volunteerId);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, n) => alone.ask<{ acceptServiceRecordCorrection: RequestView }>(ACCEPT, { input: { requestId: opened.id, reason: `核对签到表属实 ${n}` } }, stationAdmin(n))),
    );
    const winners = results.filter((result) => !result.errors);
    expect(winners).toHaveLength(1);
    expect(results.filter((result) => result.errors).flatMap(errorCodes)).toEqual(Array(9).fill('INVALID_TRANSITION'));
    const loser = results.find((result) => result.errors)!;
    expect(loser.errors![0]!.extensions).toMatchObject({ entity: 'correction request', from: 'ACCEPTED', event: 'accept' });

    const accepted = winners[0]!.data!.acceptServiceRecordCorrection;
    const winner = accepted.decidedBy!.id;
    expect(accepted).toMatchObject({ status: 'ACCEPTED', record: { minutes: 95 } });
    expect(accepted.decisionReason).toMatch(/^核对签到表属实 \d$/);
    expect(await totalOf(volunteerId)).toBe(before + 35);
    // The history shows both actors: the volunteer's request and the staff member's correction, each with its reason.
    expect(accepted.record.history.slice(-2)).toEqual([
      { action: 'CORRECTION_REQUESTED', oldMinutes: 60, newMinutes: 95, reason: '签退时手机没电，实际服务到 11 点', changedBy: { id: volunteer.sub } },
      { action: 'CORRECTED', oldMinutes: 60, newMinutes: 95, reason: accepted.decisionReason, changedBy: { id: winner } },
    ]);
    const corrected = await outbox('volunteer.hours.corrected', recordId);
    expect(corrected.map((row) => row.payload)).toEqual([expect.objectContaining({ oldMinutes: 60, newMinutes: 95, volunteerId, personId: volunteer.sub })]);
    const decided = await outbox('volunteer.record.correction.decided', recordId);
    expect(decided.map((row) => row.payload)).toEqual([
      {
        correctionRequestId: opened.id,
        serviceRecordId: recordId,
        volunteerId,
        personId: volunteer.sub,
        decision: 'ACCEPTED',
        title: '腾龙广场环境整治',
        oldMinutes: 60,
        proposedMinutes: 95,
        minutes: 95,
        reason: accepted.decisionReason,
      },
    ]);
    // Declining it afterwards is refused the same way.
    const late = await alone.ask(DECLINE, { input: { requestId: opened.id, reason: '迟到的处理' } }, stationAdmin(11));
    expect(errorCodes(late)).toEqual(['INVALID_TRANSITION']);
  });

  it('declines with a reason: the record keeps its minutes, its history says who declined and why, and a new request may follow', async () => {
    const recordId = await aRecord(volunteerId, 60);
    const opened = await mustRequest(recordId, 120);
    const before = await totalOf(volunteerId);
    const result = await alone.ask<{ declineServiceRecordCorrection: RequestView }>(DECLINE, { input: { requestId: opened.id, reason: '签到表显示 10 点签退' } }, stationAdmin(1));
    expect(result.errors).toBeUndefined();
    const declined = result.data!.declineServiceRecordCorrection;
    expect(declined).toMatchObject({ status: 'DECLINED', decidedBy: { id: stationAdmin(1).sub }, decisionReason: '签到表显示 10 点签退', record: { minutes: 60 } });
    expect(declined.record.history.at(-1)).toEqual({
      action: 'CORRECTION_DECLINED',
      oldMinutes: 60,
      newMinutes: 120,
      reason: '签到表显示 10 点签退',
      changedBy: { id: stationAdmin(1).sub },
    });
    expect(await totalOf(volunteerId)).toBe(before);
    expect(await outbox('volunteer.hours.corrected', recordId)).toEqual([]);
    expect((await outbox('volunteer.record.correction.decided', recordId)).map((row) => row.payload)).toEqual([
      expect.objectContaining({ decision: 'DECLINED', minutes: 60, proposedMinutes: 120, reason: '签到表显示 10 点签退' }),
    ]);
    const reopened = await mustRequest(recordId, 100);
    expect(reopened.record.correctionRequests).toEqual([
      { id: opened.id, status: 'DECLINED' },
      { id: reopened.id, status: 'OPEN' },
    ]);
  });

  it('lets only admins in scope of the record decide, never on their own record', async () => {
    const recordId = await aRecord(volunteerId, 60);
    const opened = await mustRequest(recordId, 70);
    const decide = (claims: Claims) => alone.ask(ACCEPT, { input: { requestId: opened.id, reason: '属实' } }, claims);
    expect(errorCodes(await decide(otherStationAdmin))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await decide(volunteer))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await decide(aCaller.staff('GRID_WORKER', STATION, 'p-grid')))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await alone.ask(ACCEPT, { input: { requestId: '999999999', reason: '属实' } }, stationAdmin(1)))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await alone.ask(ACCEPT, { input: { requestId: '999999999', reason: '属实' } }, center))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await alone.ask(ACCEPT, { input: { requestId: opened.id, reason: '' } }, stationAdmin(1)))).toEqual(['BAD_USER_INPUT']);

    // A station admin who is also the volunteer cannot decide their own request.
    const selfDecider: Claims = { ...stationAdmin(1), sub: volunteer.sub, roles: ['STATION_ADMIN', 'VOLUNTEER'] };
    expect(errorCodes(await decide(selfDecider))).toEqual(['FORBIDDEN']);
    const [{ status }] = await db().query('SELECT status FROM service_record_correction_request WHERE id = $1', [opened.id]);
    expect(status).toBe('OPEN');
    // The institute above decides it.
    const institute = aCaller.staff('INSTITUTE_ADMIN', INSTITUTE, 'p-institute');
    expect(errorCodes(await decide(institute))).toEqual([]);
  });

  it('lists the volunteer’s own requests newest first, and the open requests of a unit’s subtree for its admins, in pages', async () => {
    const [fresh, freshId] = await aVolunteer();
    const ids: string[] = [];
    for (const minutes of [30, 40, 50]) {
      const recordId = await aRecord(freshId, minutes);
      const result = await request(recordId, minutes + 5, fresh);
      ids.push(result.data!.requestServiceRecordCorrection.id);
    }
    const first = (await alone.ask<{ myServiceRecordCorrections: Page }>(MINE, { first: 2 }, fresh)).data!.myServiceRecordCorrections;
    expect(first.totalCount).toBe(3);
    expect(first.edges.map((edge) => edge.node.id)).toEqual([ids[2], ids[1]]);
    const second = (await alone.ask<{ myServiceRecordCorrections: Page }>(MINE, { first: 2, after: first.pageInfo.endCursor }, fresh)).data!.myServiceRecordCorrections;
    expect(second.edges.map((edge) => edge.node.id)).toEqual([ids[0]]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    // Someone without a volunteer profile has none.
    expect((await alone.ask<{ myServiceRecordCorrections: Page }>(MINE, { first: 2 }, stationAdmin(1))).data!.myServiceRecordCorrections.totalCount).toBe(0);

    const open = async (unit: { id: string }, claims: Claims, after?: string | null) =>
      alone.ask<{ _entities: { openServiceRecordCorrections: Page | null }[] }>(OPEN, { representations: [{ __typename: 'PracticeUnit', id: unit.id }], first: 100, after }, claims);
    const inInstitute = (await open(INSTITUTE, aCaller.staff('INSTITUTE_ADMIN', INSTITUTE, 'p-institute'))).data!._entities[0]!.openServiceRecordCorrections!;
    const openIds = inInstitute.edges.map((edge) => edge.node.id);
    expect(openIds).toEqual(expect.arrayContaining(ids));
    expect(openIds).toEqual([...openIds].sort((a, b) => Number(a) - Number(b)));
    const [{ n }] = await db().query(`SELECT count(*)::int AS n FROM service_record_correction_request WHERE status = 'OPEN'`);
    expect(inInstitute.totalCount).toBe(n);
    const paged = (await open(STATION, stationAdmin(1), inInstitute.edges[0]!.cursor)).data!._entities[0]!.openServiceRecordCorrections!;
    expect(paged.edges.map((edge) => edge.node.id)).toEqual(openIds.slice(1));
    const refused = await open(STATION, otherStationAdmin);
    expect(refused.data!._entities[0]!.openServiceRecordCorrections).toBeNull();
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
    expect(errorCodes(await open(STATION, volunteer))).toEqual(['FORBIDDEN']);
  });
});
