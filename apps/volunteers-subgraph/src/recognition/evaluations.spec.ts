import { randomUUID } from 'node:crypto';
import type { Claims } from '@kz/auth';
import type { EventEnvelope } from '@kz/events';
import { RunningSubgraph } from '@kz/subgraph';
import { aCaller, errorCodes, startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startVolunteersSubgraph } from '../app';
import { upsertUnitRefs } from '../units/unit-ref';
import { recordOrderFeedback } from './order-feedback.consumer';
import { CENTER, centerAdmin, INSTITUTE, OTHER_INSTITUTE, OTHER_STATION, STATION } from '../testing/unit-tree';

/** Quality evaluations on records and residents' order ratings as feedback (办法 Art. 10), against the real database. */

const center = centerAdmin;
const stationAdmin = aCaller.staff('STATION_ADMIN', STATION, 'p-station');
const otherStationAdmin = aCaller.staff('STATION_ADMIN', OTHER_STATION, 'p-other');

const EVALUATE = `mutation($input: EvaluateServiceRecordInput!) { evaluateServiceRecord(input: $input) { rating note evaluatedAt } }`;
const RECORD = `query($id: ID!) { serviceRecord(id: $id) { evaluation { rating note } residentFeedback { rating resolved round } } }`;
const QUALITY = `query($id: ID!) { volunteer(id: $id) { quality { evaluations averageRating feedbacks averageFeedbackRating } starEligibility { level } } }`;

describe('evaluations (办法 Art. 10)', () => {
  let alone: SubgraphAlone<RunningSubgraph>;
  let serial = 0;
  const db = () => alone.running.dataSource;

  async function aVolunteer(): Promise<{ id: string; personId: string }> {
    serial += 1;
    const [person] = await db().query(`INSERT INTO person (real_name, mobile) VALUES ($1, $2) RETURNING id::text`, [
      `评价${serial}`,
      `1370066${String(serial).padStart(4, '0')}`,
    ]);
    const [row] = await db().query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, 'ACTIVE', $2, $3) RETURNING id::text`,
      [person.id, STATION.id, STATION.path],
    );
    return { id: row.id, personId: person.id };
  }

  async function aRecord(volunteerId: string, options: { status?: string; orderId?: string; round?: number } = {}): Promise<string> {
    const [record] = await db().query(
      `INSERT INTO service_record (volunteer_id, unit_id, unit_path, category, title, started_at, minutes, status, source, created_by, content, order_id, order_round)
       VALUES ($1, $2, $3, 'ENVIRONMENT', '送餐上门', '2026-03-02T01:00:00Z', 60, $4, 'ORDER', 'test', '送餐上门', $5, $6) RETURNING id::text`,
      [volunteerId, STATION.id, STATION.path, options.status ?? 'VERIFIED', options.orderId ?? `o-${randomUUID()}`, options.round ?? 1],
    );
    return record.id;
  }

  function evaluated(orderId: string, rating: number | undefined, resolved?: 'YES' | 'PARTLY' | 'NO'): EventEnvelope<'order.evaluated'> {
    return {
      id: randomUUID(),
      type: 'order.evaluated',
      version: 1,
      occurredAt: '2026-03-03T12:00:00.000+08:00',
      actor: { personId: '42', roles: ['RESIDENT'] },
      unitPath: STATION.path,
      payload: { orderId, rating, resolved },
    };
  }

  beforeAll(async () => {
    alone = await startSubgraphAlone('VOLUNTEERS_DATABASE', (config) => startVolunteersSubgraph(config, { port: 0 }), center);
    await db().transaction((manager) => upsertUnitRefs(manager, [CENTER, INSTITUTE, STATION, OTHER_INSTITUTE, OTHER_STATION], new Date(0).toISOString()));
  });

  afterAll(() => alone?.stop());

  it('lets admins in scope rate a volunteer on a record 1–5 with a note, the latest rating standing', async () => {
    const volunteer = await aVolunteer();
    const recordId = await aRecord(volunteer.id);
    expect(errorCodes(await alone.ask(EVALUATE, { input: { recordId, rating: 5 } }, otherStationAdmin))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await alone.ask(EVALUATE, { input: { recordId, rating: 6 } }, stationAdmin))).toEqual(['BAD_USER_INPUT']);
    expect((await alone.ask(EVALUATE, { input: { recordId, rating: 3, note: '迟到十分钟' } }, stationAdmin)).errors).toBeUndefined();
    expect((await alone.ask(EVALUATE, { input: { recordId, rating: 4, note: '态度认真\n服务到位' } }, stationAdmin)).errors).toBeUndefined();
    expect((await alone.ask(RECORD, { id: recordId }, stationAdmin)).data).toEqual({
      serviceRecord: { evaluation: { rating: 4, note: '态度认真\n服务到位' }, residentFeedback: null },
    });
    expect((await alone.ask(QUALITY, { id: volunteer.id }, stationAdmin)).data).toMatchObject({
      volunteer: { quality: { evaluations: 1, averageRating: 4, feedbacks: 0, averageFeedbackRating: null } },
    });
    // Ratings are about a person's work: the volunteer and staff in scope read them, nobody else.
    const self = { sub: volunteer.personId, roles: ['RESIDENT', 'VOLUNTEER'] } as Claims;
    expect((await alone.ask(QUALITY, { id: volunteer.id }, self)).data).toMatchObject({ volunteer: { quality: { evaluations: 1 } } });
    expect(errorCodes(await alone.ask(QUALITY, { id: volunteer.id }, otherStationAdmin))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await alone.ask(QUALITY, { id: volunteer.id }, aCaller.resident('p-someone')))).toEqual(['FORBIDDEN']);
  });

  it('refuses a rejected record, an unknown one, and the evaluator’s own record', async () => {
    const volunteer = await aVolunteer();
    const rejected = await aRecord(volunteer.id, { status: 'REJECTED' });
    const refused = await alone.ask(EVALUATE, { input: { recordId: rejected, rating: 2 } }, stationAdmin);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.recordId' });
    expect(errorCodes(await alone.ask(EVALUATE, { input: { recordId: '999999', rating: 2 } }, stationAdmin))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await alone.ask(EVALUATE, { input: { recordId: '999999', rating: 2 } }, center))).toEqual(['NOT_FOUND']);
    const own = await aRecord(volunteer.id);
    const self = aCaller.staff('STATION_ADMIN', STATION, volunteer.personId);
    expect(errorCodes(await alone.ask(EVALUATE, { input: { recordId: own, rating: 5 } }, self))).toEqual(['FORBIDDEN']);
    const [{ n }] = await db().query('SELECT count(*)::int AS n FROM service_record_evaluation WHERE record_id = ANY($1::bigint[])', [[rejected, own]]);
    expect(n).toBe(0);
  });

  it("turns a resident's order rating into feedback on each volunteer of the latest round, once", async () => {
    const [a, b, earlier] = [await aVolunteer(), await aVolunteer(), await aVolunteer()];
    const orderId = `o-${randomUUID()}`;
    await aRecord(earlier.id, { orderId, round: 1 });
    const recordA = await aRecord(a.id, { orderId, round: 2 });
    await aRecord(b.id, { orderId, round: 2 });
    const event = evaluated(orderId, 4, 'YES');
    const given = await Promise.all([recordOrderFeedback(db(), event), recordOrderFeedback(db(), event), recordOrderFeedback(db(), evaluated(orderId, 1, 'NO'))]);
    expect(given.flat().sort()).toEqual([a.id, b.id].sort());
    const rows = await db().query('SELECT volunteer_id::text, order_round, rating FROM order_feedback WHERE order_id = $1 ORDER BY volunteer_id', [orderId]);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((row: { order_round: number }) => row.order_round))).toEqual(new Set([2]));
    const rating = rows[0].rating as number;
    expect((await alone.ask(RECORD, { id: recordA }, stationAdmin)).data).toMatchObject({
      serviceRecord: { residentFeedback: { rating, round: 2 } },
    });
    expect((await alone.ask(QUALITY, { id: a.id }, stationAdmin)).data).toMatchObject({ volunteer: { quality: { feedbacks: 1, averageFeedbackRating: rating } } });
    expect((await alone.ask(QUALITY, { id: earlier.id }, stationAdmin)).data).toMatchObject({ volunteer: { quality: { feedbacks: 0 } } });
  });
});
