import type { RunningSubgraph } from '@kz/subgraph';
import { startSubgraphAlone, SubgraphAlone } from '@kz/testing';
import { startVolunteersSubgraph } from '../app';
import { CheckOutService, recordCheckOut, servedWithinWindow } from './record-writer';

const at = (time: string) => new Date(`2026-11-28T${time}:00.000+08:00`);

describe('minutes of a check-out, capped by the activity window 09:00–11:00', () => {
  const window = [at('09:00'), at('11:00')] as const;

  it.each([
    ['inside the window', '09:10', '10:40', 90, '09:10'],
    ['arriving early: counted from the start', '08:30', '10:00', 60, '09:00'],
    ['leaving late: counted to the end', '10:00', '12:30', 60, '10:00'],
    ['early and late: the whole window', '08:00', '13:00', 120, '09:00'],
    ['wholly before the window', '07:00', '08:30', 0, '09:00'],
    ['wholly after the window', '11:30', '12:00', 0, '11:00'],
  ])('%s', (_case, checkIn, checkOut, minutes, startedAt) => {
    expect(servedWithinWindow(at(checkIn), at(checkOut), ...window)).toEqual({ minutes, startedAt: at(startedAt) });
  });

  it('counts whole minutes, rounding down', () => {
    const out = new Date(at('09:40').getTime() + 59_999);
    expect(servedWithinWindow(at('09:00'), out, ...window).minutes).toBe(40);
  });

  it('never exceeds one day, however long the window', () => {
    expect(servedWithinWindow(at('09:00'), new Date(at('09:00').getTime() + 3 * 86_400_000), at('00:00'), new Date(at('00:00').getTime() + 7 * 86_400_000)).minutes).toBe(1440);
  });
});

describe('recordCheckOut', () => {
  let alone: SubgraphAlone<RunningSubgraph>;
  let service: CheckOutService;

  beforeAll(async () => {
    alone = await startSubgraphAlone('VOLUNTEERS_DATABASE', (config) => startVolunteersSubgraph(config, { port: 0 }));
    const db = alone.running.dataSource;
    const [person] = await db.query(`INSERT INTO person (real_name, mobile) VALUES ('何毅', '13800000001') RETURNING id::text`);
    const [volunteer] = await db.query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, 'ACTIVE', 5, '1/2/5') RETURNING id::text`,
      [person.id],
    );
    const [activity] = await db.query(
      `INSERT INTO activity (title, category, organizing_unit_id, organizing_unit_path, starts_at, ends_at, place_name, lat, lng,
                             check_in_radius_m, capacity, status, created_by)
       VALUES ('腾龙广场环境整治', 'ENVIRONMENT', 5, '1/2/5', $1, $2, '腾龙广场', 31.16, 108.39, 200, 20, 'PUBLISHED', 'seed')
       RETURNING id::text`,
      [at('09:00'), at('11:00')],
    );
    service = {
      volunteerId: volunteer.id,
      activity: {
        id: activity.id,
        title: '腾龙广场环境整治',
        category: 'ENVIRONMENT',
        organizingUnitId: '5',
        organizingUnitPath: '1/2/5',
        startsAt: at('09:00'),
        endsAt: at('11:00'),
        placeName: '腾龙广场',
        description: null,
        responsiblePersonId: null,
        responsibleName: null,
      },
      checkedInAt: at('08:45'),
      checkedOutAt: at('10:30'),
      by: person.id,
    };
  });

  afterAll(() => alone?.stop());

  it('makes one pending record with capped minutes and a CREATED line, and a retry changes nothing', async () => {
    const db = alone.running.dataSource;
    const first = await db.transaction((manager) => recordCheckOut(manager, service));
    const again = await db.transaction((manager) => recordCheckOut(manager, { ...service, checkedOutAt: at('11:00') }));
    expect(again).toBe(first);
    const records = await db.query('SELECT * FROM service_record WHERE volunteer_id = $1', [service.volunteerId]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      status: 'PENDING',
      source: 'CHECK_OUT',
      minutes: 90,
      unit_id: '5',
      unit_path: '1/2/5',
      category: 'ENVIRONMENT',
      title: '腾龙广场环境整治',
      created_by: service.by,
    });
    expect(records[0].started_at).toEqual(at('09:00'));
    const history = await db.query('SELECT action, new_minutes, changed_by FROM service_record_change WHERE record_id = $1', [first]);
    expect(history).toEqual([{ action: 'CREATED', new_minutes: 90, changed_by: service.by }]);
  });
});
