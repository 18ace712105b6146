import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { withCheckDigit } from '@kz/auth';
import { Platform, startPlatform } from './stack';

/**
 * The volunteer's whole path through the gateway, the way the phone app walks it: sign up as a resident, register
 * as a volunteer, get approved, sign up for an activity, check in and out on site, have the hours verified, and the
 * points service's queue receives the hours exactly once.
 */
let platform: Platform;
let redis: IORedis;
let pointsCredit: Queue;

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  redis = new IORedis(platform.config.REDIS_URL, { maxRetriesPerRequest: null });
  pointsCredit = new Queue('points-credit', { connection: redis, prefix: platform.config.QUEUE_PREFIX });
});
afterAll(async () => {
  await pointsCredit?.close();
  redis?.disconnect();
  await platform?.stop();
});

const at = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

async function ok<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const result = await platform.query<T>(query, variables, { token });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!;
}

it('takes a resident from sign-up to verified hours, with the hours on the points queue once', async () => {
  const yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
  const [station] = await platform.org.query('SELECT lat, lng FROM practice_unit WHERE id = $1', [yingbin.id]);
  const stationAdmin = await platform.login('13900230005');

  // 1. A resident of 迎宾社区 opens an account on the phone and registers as a volunteer.
  const signedUp = await ok<{ signUp: { token: string; person: { id: string } } }>(
    `mutation($input: SignUpInput!) { signUp(input: $input) { token person { id } } }`,
    { input: { realName: '陈晓东', mobile: '13500239901', idNumber: withCheckDigit('50023419900315001'), password: 'xinzhiyuan1', homeUnitId: yingbin.id } },
  );
  const registered = await ok<{ registerVolunteer: { id: string; status: string } }>(
    `mutation($input: RegisterVolunteerInput!) { registerVolunteer(input: $input) { id status } }`,
    { input: { homeStationId: yingbin.id, skills: ['ENVIRONMENT', 'REPAIR'], availability: [{ dayOfWeek: 6, start: '08:00', end: '12:00' }] } },
    signedUp.signUp.token,
  );
  expect(registered.registerVolunteer.status).toBe('PENDING');

  // 2. The station admin approves after the real-name check; a new login carries the VOLUNTEER role.
  const approved = await ok<{ approveVolunteer: { status: string } }>(
    `mutation($input: ReviewVolunteerInput!) { approveVolunteer(input: $input) { status } }`,
    { input: { volunteerId: registered.registerVolunteer.id } },
    stationAdmin,
  );
  expect(approved.approveVolunteer.status).toBe('ACTIVE');
  const volunteer = await platform.login('13500239901', 'xinzhiyuan1');
  expect(JSON.parse(Buffer.from(volunteer.split('.')[1]!, 'base64url').toString()).roles).toContain('VOLUNTEER');

  // 3. The station publishes an activity running now at the station; the volunteer signs up.
  const created = await ok<{ createActivity: { id: string } }>(
    `mutation($input: CreateActivityInput!) { createActivity(input: $input) { id } }`,
    {
      input: {
        title: '腾龙广场健身器材检修',
        category: 'REPAIR',
        organizingUnitId: yingbin.id,
        startsAt: at(-30),
        endsAt: at(30),
        place: { name: '腾龙广场', location: { lat: station.lat, lng: station.lng }, checkInRadiusMeters: 200 },
        capacity: 5,
        requiredSkills: ['REPAIR'],
      },
    },
    stationAdmin,
  );
  const activityId = created.createActivity.id;
  await ok(`mutation($input: ActivityIdInput!) { publishActivity(input: $input) { status } }`, { input: { activityId } }, stationAdmin);
  const signUp = await ok<{ signUpForActivity: { status: string } }>(
    `mutation($input: ActivityIdInput!) { signUpForActivity(input: $input) { status } }`,
    { input: { activityId } },
    volunteer,
  );
  expect(signUp.signUpForActivity.status).toBe('SIGNED_UP');

  // 4. On site: check in and out next to the station.
  const here = { lat: station.lat + 0.0002, lng: station.lng };
  await ok(`mutation($input: CheckInOutInput!) { checkIn(input: $input) { status } }`, { input: { activityId, location: here } }, volunteer);
  const out = await ok<{ checkOut: { status: string } }>(
    `mutation($input: CheckInOutInput!) { checkOut(input: $input) { status } }`,
    { input: { activityId, location: here } },
    volunteer,
  );
  expect(out.checkOut.status).toBe('CHECKED_OUT');

  // 5. The station corrects and verifies the pending record; the volunteer's hours grow.
  const pending = await ok<{ serviceRecords: { edges: { node: { id: string; status: string; minutes: number } }[] } }>(
    `query($filter: ServiceRecordFilter) { serviceRecords(filter: $filter) { edges { node { id status minutes } } } }`,
    { filter: { activityId } },
    stationAdmin,
  );
  expect(pending.serviceRecords.edges).toHaveLength(1);
  const checkedOut = pending.serviceRecords.edges[0]!.node;
  expect(checkedOut).toMatchObject({ status: 'PENDING', minutes: 0 }); // checked out a moment after checking in
  // The test cannot serve for an hour: the station corrects the minutes from the sign-in sheet, as it may.
  const corrected = await ok<{ correctServiceMinutes: { id: string; minutes: number } }>(
    `mutation($input: CorrectServiceMinutesInput!) { correctServiceMinutes(input: $input) { id minutes } }`,
    { input: { recordId: checkedOut.id, minutes: 55, reason: '签到表：09:05–10:00' } },
    stationAdmin,
  );
  const record = corrected.correctServiceMinutes;
  await ok(`mutation($input: ServiceRecordIdInput!) { verifyServiceRecord(input: $input) { status } }`, { input: { recordId: record.id } }, stationAdmin);
  const me = await ok<{ volunteer: { verifiedMinutes: number; serviceCount: number } }>(
    `query($id: ID!) { volunteer(id: $id) { verifiedMinutes serviceCount } }`,
    { id: registered.registerVolunteer.id },
    volunteer,
  );
  expect(me.volunteer).toEqual({ verifiedMinutes: record.minutes, serviceCount: 1 });

  // 6. The hours reach the love bank's queue exactly once (the relay publishes the outbox to BullMQ).
  const credits = async () =>
    (await pointsCredit.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'])).filter(
      (job) => job?.name === 'volunteer.hours.verified' && job.data.payload.serviceRecordId === record.id,
    );
  const deadline = Date.now() + 10_000;
  while ((await credits()).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  const jobs = await credits();
  expect(jobs).toHaveLength(1);
  expect(jobs[0]!.data).toMatchObject({
    type: 'volunteer.hours.verified',
    unitPath: yingbin.path,
    payload: { serviceRecordId: record.id, volunteerId: registered.registerVolunteer.id, personId: signedUp.signUp.person.id, minutes: record.minutes, category: 'REPAIR', activityId },
  });
  expect(jobs[0]!.id).toBe(jobs[0]!.data.id);
});
