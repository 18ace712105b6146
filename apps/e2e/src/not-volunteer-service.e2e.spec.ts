import { errorCodes } from '@kz/testing';
import { eventuallyValue } from '@kz/testing';
import { Platform, startPlatform } from './stack';

/**
 * Not volunteer service (条例 Art. 19, docs/records.md) through the gateway: a staff-duty activity's check-out and a
 * staff-duty order's delivery keep the attendance and the minutes but make no service record (so no points); the
 * station admin checking out of their own station's activity gets a record held for review, which they cannot
 * verify themselves and the institute admin above can.
 */
const PEOPLE = {
  instituteAdmin: '13900230004',
  stationAdmin: '13900230005',
  heYi: '13900230007',
  zhou: '13900230008',
  dispatcher: '13900230002',
};
const METRES_PER_DEGREE_LAT = 111_195;

let platform: Platform;
let yingbin: { id: string; path: string };
let here: { lat: number; lng: number };
const tokens: Record<string, string> = {};
let heYiVolunteer: string;

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  const [station] = await platform.org.query('SELECT lat, lng FROM practice_unit WHERE id = $1', [yingbin.id]);
  here = { lat: station.lat + 20 / METRES_PER_DEGREE_LAT, lng: station.lng };
  // The station admin also volunteers, at home in their own station.
  // An UPDATE answers [rows, count].
  const [[admin]] = await platform.volunteers.query(
    `UPDATE person SET roles = CASE WHEN 'VOLUNTEER' = ANY(roles) THEN roles ELSE array_append(roles, 'VOLUNTEER') END
      WHERE mobile = $1 RETURNING id::text, staff_unit_path`,
    [PEOPLE.stationAdmin],
  );
  expect(admin.staff_unit_path).toBe(yingbin.path);
  await platform.volunteers.query(
    `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path)
     SELECT $1, 'ACTIVE', $2, $3 WHERE NOT EXISTS (SELECT 1 FROM volunteer WHERE person_id = $1)`,
    [admin.id, yingbin.id, yingbin.path],
  );
  for (const [name, mobile] of Object.entries(PEOPLE)) tokens[name] = await platform.login(mobile);
  [{ id: heYiVolunteer }] = await platform.volunteers.query(
    'SELECT v.id::text FROM volunteer v JOIN person p ON p.id = v.person_id WHERE p.mobile = $1',
    [PEOPLE.heYi],
  );
});
afterAll(() => platform?.stop());

async function ok<T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const result = await platform.query<T>(query, variables, { token });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!;
}

const at = (offsetMinutes: number) => new Date(Date.now() + offsetMinutes * 60_000).toISOString();

/** A published activity of 迎宾社区 running now, created by its station admin. */
async function publishedActivity(staffDuty?: boolean): Promise<string> {
  const input = {
    title: '腾龙广场环境整治',
    category: 'ENVIRONMENT',
    organizingUnitId: yingbin.id,
    startsAt: at(-60),
    endsAt: at(60),
    place: { name: '腾龙广场', location: here, checkInRadiusMeters: 200 },
    capacity: 10,
    ...(staffDuty === undefined ? {} : { staffDuty }),
  };
  const { createActivity } = await ok<{ createActivity: { id: string; staffDuty: boolean } }>(
    'mutation($input: CreateActivityInput!) { createActivity(input: $input) { id staffDuty } }',
    { input },
    tokens.stationAdmin!,
  );
  expect(createActivity.staffDuty).toBe(staffDuty ?? false);
  await ok('mutation($id: ID!) { publishActivity(input: { activityId: $id }) { id } }', { id: createActivity.id }, tokens.stationAdmin!);
  return createActivity.id;
}

/** Signs up, checks in and out on site; answers the sign-up's final status. */
async function attend(activityId: string, token: string): Promise<string> {
  await ok('mutation($id: ID!) { signUpForActivity(input: { activityId: $id }) { id } }', { id: activityId }, token);
  const input = { activityId, location: here };
  await ok('mutation($input: CheckInOutInput!) { checkIn(input: $input) { id } }', { input }, token);
  const { checkOut } = await ok<{ checkOut: { status: string } }>('mutation($input: CheckInOutInput!) { checkOut(input: $input) { status } }', { input }, token);
  return checkOut.status;
}

const RECORDS = `query($filter: ServiceRecordFilter) { serviceRecords(filter: $filter, first: 100) { edges { node { id status heldReason orderId activity { id } } } } }`;
type RecordNode = { id: string; status: string; heldReason: string | null; orderId: string | null; activity: { id: string } | null };

async function recordsWithin(token: string): Promise<RecordNode[]> {
  const data = await ok<{ serviceRecords: { edges: { node: RecordNode }[] } }>(RECORDS, { filter: { withinUnitId: yingbin.id } }, token);
  return data.serviceRecords.edges.map((edge) => edge.node);
}

describe('staff duty', () => {
  it("a staff-duty activity's check-out is kept but makes no record, so nothing reaches the points service", async () => {
    const activityId = await publishedActivity(true);
    const seen = await ok<{ activity: { staffDuty: boolean } }>('query($id: ID!) { activity(id: $id) { staffDuty } }', { id: activityId }, tokens.heYi!);
    expect(seen.activity.staffDuty).toBe(true);
    expect(await attend(activityId, tokens.heYi!)).toBe('CHECKED_OUT');
    const [signUp] = await platform.volunteers.query('SELECT status FROM activity_signup WHERE activity_id = $1', [activityId]);
    expect(signUp.status).toBe('CHECKED_OUT');
    expect((await recordsWithin(tokens.stationAdmin!)).filter((record) => record.activity?.id === activityId)).toEqual([]);
    const events = await platform.volunteers.query(`SELECT 1 FROM outbox WHERE type = 'volunteer.hours.verified' AND payload->>'activityId' = $1`, [activityId]);
    expect(events).toEqual([]);

    // A plain activity, for contrast, does make one.
    const plain = await publishedActivity();
    await attend(plain, tokens.heYi!);
    expect((await recordsWithin(tokens.stationAdmin!)).filter((record) => record.activity?.id === plain)).toHaveLength(1);
  });

  it('an activity flagged staff duty by an update makes no record from then on', async () => {
    const activityId = await publishedActivity();
    const { updateActivity } = await ok<{ updateActivity: { staffDuty: boolean } }>(
      'mutation($input: UpdateActivityInput!) { updateActivity(input: $input) { staffDuty } }',
      { input: { id: activityId, staffDuty: true } },
      tokens.stationAdmin!,
    );
    expect(updateActivity.staffDuty).toBe(true);
    expect(await attend(activityId, tokens.heYi!)).toBe('CHECKED_OUT');
    expect((await recordsWithin(tokens.stationAdmin!)).filter((record) => record.activity?.id === activityId)).toEqual([]);
  });

  it("a staff-duty order's delivery keeps its minutes on the order but makes no record", async () => {
    const { placeOrder } = await ok<{ placeOrder: { id: string } }>(
      'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
      { input: { title: '楼道灯不亮', category: 'SAFETY_FACILITIES', channel: 'APP', stationHintId: yingbin.id } },
      tokens.zhou!,
    );
    const orderId = placeOrder.id;
    const move = (name: string, inputType: string, input: Record<string, unknown>, who: string) =>
      ok<Record<string, { staffDuty: boolean; minutesByVolunteer: { minutes: number }[] }>>(
        `mutation($input: ${inputType}!) { ${name}(input: $input) { staffDuty minutesByVolunteer { minutes } } }`,
        { input: { orderId, ...input } },
        tokens[who]!,
      );
    await move('dispatchOrder', 'DispatchOrderInput', { stationId: yingbin.id }, 'dispatcher');
    await move('acceptOrder', 'OrderIdInput', {}, 'stationAdmin');
    await move('assignVolunteers', 'AssignVolunteersInput', { volunteerIds: [heYiVolunteer] }, 'stationAdmin');
    await move('startService', 'OrderIdInput', {}, 'stationAdmin');
    const deliveryInput = { orderId, note: '社区工作人员值班时更换灯泡', outcome: 'FULL', minutes: [{ volunteerId: heYiVolunteer, minutes: 30 }], staffDuty: true };
    // The assignee delivers orders too, but declaring staff duty is the station staff's call.
    const byAssignee = await platform.query('mutation($input: DeliverOrderInput!) { deliverOrder(input: $input) { id } }', { input: deliveryInput }, { token: tokens.heYi! });
    expect(errorCodes(byAssignee)).toEqual(['FORBIDDEN']);
    const delivered = await move(
      'deliverOrder',
      'DeliverOrderInput',
      { note: '社区工作人员值班时更换灯泡', outcome: 'FULL', minutes: [{ volunteerId: heYiVolunteer, minutes: 30 }], staffDuty: true },
      'stationAdmin',
    );
    expect(delivered.deliverOrder).toEqual({ staffDuty: true, minutesByVolunteer: [{ minutes: 30 }] });
    const [event] = await platform.orders.query(`SELECT id::text, payload FROM outbox WHERE type = 'order.delivered' AND payload->>'orderId' = $1`, [orderId]);
    expect(event.payload).toMatchObject({ orderId, staffDuty: true });
    // The volunteers subgraph has handled the event (once), and made nothing of it.
    await eventuallyValue(async () => {
      const handled = await platform.volunteers.query(`SELECT 1 FROM processed_event WHERE consumer = 'volunteers.order-minutes' AND event_id::text = $1`, [event.id]);
      return handled.length === 1 ? true : undefined;
    });
    expect((await recordsWithin(tokens.stationAdmin!)).filter((record) => record.orderId === orderId)).toEqual([]);
  });
});

describe('serving one’s own unit in a staff role', () => {
  it('gives the station admin a held record they cannot verify themselves; the institute admin above verifies it', async () => {
    const activityId = await publishedActivity();
    expect(await attend(activityId, tokens.stationAdmin!)).toBe('CHECKED_OUT');
    const [held] = (await recordsWithin(tokens.stationAdmin!)).filter((record) => record.activity?.id === activityId);
    expect(held).toMatchObject({ status: 'PENDING', heldReason: 'OWN_UNIT_STAFF' });
    // The station's pending list of held records shows it, with the reason.
    const heldList = await ok<{ serviceRecords: { edges: { node: RecordNode }[] } }>(
      RECORDS,
      { filter: { withinUnitId: yingbin.id, status: 'PENDING', heldForReview: true } },
      tokens.stationAdmin!,
    );
    expect(heldList.serviceRecords.edges.map((edge) => edge.node)).toEqual([expect.objectContaining({ id: held!.id, heldReason: 'OWN_UNIT_STAFF' })]);

    const VERIFY = 'mutation($id: ID!) { verifyServiceRecord(input: { recordId: $id }) { id status heldReason } }';
    const own = await platform.query(VERIFY, { id: held!.id }, { token: tokens.stationAdmin!, language: 'zh-CN' });
    expect(errorCodes(own)).toEqual(['FORBIDDEN']);
    expect(own.errors![0]!.extensions).toMatchObject({ heldReason: 'OWN_UNIT_STAFF' });
    expect(own.errors![0]!.message).toContain('待复核');

    const byInstitute = await ok<{ verifyServiceRecord: unknown }>(VERIFY, { id: held!.id }, tokens.instituteAdmin!);
    expect(byInstitute.verifyServiceRecord).toEqual({ id: held!.id, status: 'VERIFIED', heldReason: 'OWN_UNIT_STAFF' });
  });
});
