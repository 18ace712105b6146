import { Claims, Role, withCheckDigit } from '@kz/auth';
import { upsertUnitRefs, UnitRef } from '@kz/org-replica';
import { ensurePersonAccount, postTransaction, systemAccountId } from '@kz/points-subgraph';
import { Platform, startPlatform } from './stack';
import { mutationDocument, readSupergraph } from './supergraph-schema';

/**
 * The access matrix: every mutation of the supergraph, as every role of `shared/ROLES.md` and as nobody, against a
 * resource inside and one outside the caller's subtree, compared with an expectation table written from ROLES.md.
 *
 * Callers are single-role tokens as `npm run token` makes them, for the demo people (so that person ids are real):
 * CENTER_ADMIN, DISPATCHER and ANALYST at the center; INSTITUTE_ADMIN at 汉丰街道; STATION_ADMIN and GRID_WORKER at
 * 迎宾社区; VOLUNTEER 何毅 and RESIDENT 周建华 of 迎宾社区; SERVICE the dispatch worker. "Inside" is 迎宾社区 (and
 * so 汉丰街道 and the center); "outside" is 永先社区 of 云枫街道. For a self-scoped caller (RESIDENT, VOLUNTEER) inside
 * is their own record (their order, their redemption, their profile) and outside someone else's.
 *
 * Outcomes:
 * - allowed: no error, or only errors whose code shows the call got past authorization and failed on the
 *   resource's state or the input: BAD_USER_INPUT, NOT_FOUND, CONFLICT, INVALID_TRANSITION, INSUFFICIENT_POINTS,
 *   OUT_OF_STOCK. (Fixtures are mostly in final states so that allowed calls fail harmlessly with
 *   INVALID_TRANSITION; authorization is decided before the state in every subgraph.)
 * - denied: exactly FORBIDDEN for an authenticated caller, exactly UNAUTHENTICATED for nobody.
 * - anything else (INTERNAL_SERVER_ERROR, a validation error, a denial with the wrong code) fails the test.
 *
 * Readings of ROLES.md where it is silent (stated once here, used in the table):
 * - Personal actions (own orders, redemptions, transfers, volunteer registration) belong to RESIDENT and VOLUNTEER
 *   ("all of RESIDENT"). A staff token without RESIDENT may not make them: real staff accounts carry RESIDENT too.
 * - Everyone who is a person (every role but SERVICE) manages their own inbox, preferences and password.
 * - "Everything above" for CENTER_ADMIN covers the station, institute and dispatcher powers everywhere, but not the
 *   requester's and assignee's own moves (evaluate, follow up, cancel), which belong to the person.
 * - Care plans, teams, a volunteer's profile and team membership are run by station staff in scope (STATION_ADMIN,
 *   INSTITUTE_ADMIN, CENTER_ADMIN), like activities; dead letters are read and retried by station staff in scope and
 *   by the center (CENTER_ADMIN, DISPATCHER), as the schema says.
 * - Units: each admin (station, institute, center) edits and moves the units of its own subtree and creates units
 *   below it (a station its practice points); only the center designates demonstration sites. ("INSTITUTE_ADMIN
 *   creates and edits stations" and "CENTER_ADMIN org structure" read as the widest cases of that rule.)
 * - GRID_WORKER is the station's assisting hand (docs/architecture.md): places orders and registers volunteers on a
 *   resident's behalf and edits their profile, and hands rewards over at the counter (fulfils and cancels
 *   redemptions), all for their station only. DISPATCHER only dispatches: it places no orders.
 */

type Who = 'NOBODY' | Role;
type Side = 'inside' | 'outside';
type Input = Record<string, unknown>;
type Fixtures = Awaited<ReturnType<typeof buildFixtures>>;

const WHO: Who[] = ['NOBODY', 'RESIDENT', 'VOLUNTEER', 'GRID_WORKER', 'STATION_ADMIN', 'INSTITUTE_ADMIN', 'DISPATCHER', 'CENTER_ADMIN', 'ANALYST', 'SERVICE'];
const PERSONS: Who[] = WHO.filter((who) => who !== 'NOBODY' && who !== 'SERVICE');
const SELF: Who[] = ['RESIDENT', 'VOLUNTEER'];
const ALLOWED_CODES = new Set(['BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'INVALID_TRANSITION', 'INSUFFICIENT_POINTS', 'OUT_OF_STOCK']);

interface Entry {
  /** The input for a caller on one side; `who` lets self-scoped callers use their own record inside. */
  input(fx: Fixtures, side: Side, who: Who): Input;
  inside: Who[];
  outside: Who[];
  /** No resource to be inside or outside of (e.g. changePassword): one call per caller, judged by `inside`. */
  noResource?: boolean;
}

/** Station staff of the resource's subtree, and the center everywhere. */
const STATION_STAFF = { inside: ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'CENTER_ADMIN'] as Who[], outside: ['CENTER_ADMIN'] as Who[] };
const CENTER_ONLY = { inside: ['CENTER_ADMIN'] as Who[], outside: ['CENTER_ADMIN'] as Who[] };
const SERVICE_ONLY = { inside: ['SERVICE'] as Who[], outside: ['SERVICE'] as Who[] };

let serial = 0;
const unique = (label: string) => `${label}${process.pid % 1000}${(serial += 1)}`;
const mobile = () => `137${String(process.pid % 10_000).padStart(4, '0')}${String((serial += 1) % 10_000).padStart(4, '0')}`;
const pick = <T>(side: Side, inside: T, outside: T) => (side === 'inside' ? inside : outside);
const isSelf = (who: Who) => SELF.includes(who);
const orderOf = (fx: Fixtures, side: Side) => ({ orderId: pick(side, fx.orderIn, fx.orderOut) });

const MATRIX: Record<string, Entry> = {
  // ── notifications ──────────────────────────────────────────────────────────────────────────────────────────
  markNotificationsRead: { input: () => ({ all: true }), inside: PERSONS, outside: PERSONS, noResource: true },
  setNotificationPreference: { input: () => ({ kind: '*', channels: ['INBOX'] }), inside: PERSONS, outside: PERSONS, noResource: true },
  retryNotification: {
    input: (fx, side) => ({ deliveryId: pick(side, fx.deliveryIn, fx.deliveryOut) }),
    inside: ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'CENTER_ADMIN', 'DISPATCHER'],
    outside: ['CENTER_ADMIN', 'DISPATCHER'],
  },

  // ── orders ────────────────────────────────────────────────────────────────────────────────────────────────
  reportPatrolOrder: {
    input: () => ({ title: '路灯损坏', category: 'SAFETY_FACILITIES', address: '迎宾大道' }),
    inside: ['GRID_WORKER', 'STATION_ADMIN', 'INSTITUTE_ADMIN', 'CENTER_ADMIN'],
    outside: [],
    noResource: true,
  },
  placeOrder: {
    // Self: an own order inside, an order on behalf of someone else outside. Staff: on behalf of a resident of the side.
    input: (fx, side, who) => ({
      title: '楼道灯不亮',
      category: 'SAFETY_FACILITIES',
      channel: 'APP',
      // Outside: for a resident of 永先, at 永先 (the order would land in another station's scope).
      ...(isSelf(who) && side === 'inside' ? {} : pick<Input>(side, { onBehalfOfPersonId: fx.zhou }, { onBehalfOfPersonId: fx.liu, stationHintId: fx.yongxian.id })),
    }),
    inside: ['RESIDENT', 'VOLUNTEER', 'GRID_WORKER', 'STATION_ADMIN', 'INSTITUTE_ADMIN', 'CENTER_ADMIN'],
    outside: ['CENTER_ADMIN'],
  },
  dispatchOrder: {
    input: (fx, side) => ({ ...orderOf(fx, side), stationId: pick(side, fx.yingbin.id, fx.yongxian.id) }),
    inside: ['DISPATCHER', 'CENTER_ADMIN', 'SERVICE'],
    outside: ['DISPATCHER', 'CENTER_ADMIN', 'SERVICE'],
  },
  acceptOrder: { input: (fx, side) => orderOf(fx, side), ...STATION_STAFF },
  returnOrder: { input: (fx, side) => ({ ...orderOf(fx, side), reason: '人手不足' }), ...STATION_STAFF },
  assignVolunteers: { input: (fx, side) => ({ ...orderOf(fx, side), volunteerIds: [fx.heYiVolunteer] }), ...STATION_STAFF },
  // An assignee (何毅 on the inside order) starts and delivers too.
  startService: { input: (fx, side) => orderOf(fx, side), inside: [...STATION_STAFF.inside, 'VOLUNTEER'], outside: STATION_STAFF.outside },
  deliverOrder: {
    input: (fx, side) => ({ ...orderOf(fx, side), note: '已修好', outcome: 'FULL', minutes: [{ volunteerId: fx.heYiVolunteer, minutes: 30 }] }),
    inside: [...STATION_STAFF.inside, 'VOLUNTEER'],
    outside: STATION_STAFF.outside,
  },
  // The requester's own moves: the inside order is 周建华's.
  evaluateOrder: { input: (fx, side) => ({ ...orderOf(fx, side), rating: 5, resolved: 'YES' }), inside: ['RESIDENT'], outside: [] },
  cancelOrder: { input: (fx, side) => ({ ...orderOf(fx, side), reason: '不需要了' }), inside: ['RESIDENT'], outside: [] },
  addFollowUp: { input: (fx, side) => ({ ...orderOf(fx, side), note: '请问什么时候来？' }), inside: ['RESIDENT'], outside: [] },
  updateDemandLedger: { input: (fx, side) => ({ ...orderOf(fx, side), resourcesNeeded: '灯泡两个' }), ...STATION_STAFF },
  escalateOrder: { input: (fx, side) => ({ ...orderOf(fx, side), stage: 'ACCEPT', level: 'INSTITUTE' }), ...SERVICE_ONLY },
  closeOrder: { input: (fx, side) => orderOf(fx, side), inside: ['SERVICE', 'CENTER_ADMIN'], outside: ['SERVICE', 'CENTER_ADMIN'] },
  createCarePlan: {
    input: (fx, side) => ({
      beneficiary: { name: '王秀英', specialGroup: 'EMPTY_NEST_ELDERLY' },
      stationId: pick(side, fx.yingbin.id, fx.yongxian.id),
      frequency: 'MONTHLY',
      firstVisitAt: new Date(Date.now() + 86_400_000).toISOString(),
    }),
    ...STATION_STAFF,
  },
  updateCarePlan: { input: (fx, side) => ({ id: pick(side, fx.carePlanIn, fx.carePlanOut), frequency: 'MONTHLY' }), ...STATION_STAFF },
  recordCarePlanVisit: { input: (fx, side) => ({ carePlanId: pick(side, fx.carePlanIn, fx.carePlanOut), dueAt: fx.visitDueAt }), ...SERVICE_ONLY },
  markVisitMissed: { input: (fx, side) => ({ carePlanId: pick(side, fx.carePlanIn, fx.carePlanOut), ...orderOf(fx, side) }), ...SERVICE_ONLY },

  // ── org ───────────────────────────────────────────────────────────────────────────────────────────────────
  createUnit: {
    input: (fx, side) => ({ parentId: pick(side, fx.hanfeng.id, fx.yunfeng.id), level: 'STATION', name: `${unique('矩阵测试站')}` }),
    inside: ['INSTITUTE_ADMIN', 'CENTER_ADMIN'],
    outside: ['CENTER_ADMIN'],
  },
  updateUnit: {
    input: (fx, side) => (side === 'inside' ? { id: fx.yingbin.id, name: fx.yingbin.name } : { id: fx.yongxian.id, name: fx.yongxian.name }),
    ...STATION_STAFF,
  },
  // Moves a point back under the station it already belongs to.
  moveUnit: { input: (fx, side) => pick(side, { id: fx.pointIn, newParentId: fx.yingbin.id }, { id: fx.stationOut, newParentId: fx.yunfeng.id }), ...STATION_STAFF },
  setSevenHaves: {
    input: (fx, side) => ({ unitId: pick(side, fx.yingbin.id, fx.yongxian.id), items: [{ item: 'FUNDING', met: true, evidence: '2026年经费到位' }] }),
    ...STATION_STAFF,
  },
  designateDemonstration: {
    input: (fx, side) => pick(side, { unitId: fx.yingbin.id, isDemonstration: fx.yingbin.isDemonstration }, { unitId: fx.yongxian.id, isDemonstration: fx.yongxian.isDemonstration }),
    ...CENTER_ONLY,
  },
  createTeam: {
    input: (fx, side) => ({ name: unique('矩阵测试队'), kind: 'SQUAD', parentTeamId: pick(side, fx.teamIn.parentId, fx.teamOut.parentId), homeUnitId: pick(side, fx.yingbin.id, fx.yongxian.id) }),
    ...STATION_STAFF,
  },
  updateTeam: { input: (fx, side) => pick(side, { id: fx.teamIn.id, name: fx.teamIn.name }, { id: fx.teamOut.id, name: fx.teamOut.name }), ...STATION_STAFF },

  // ── points ────────────────────────────────────────────────────────────────────────────────────────────────
  setEarningRule: { input: () => ({ category: 'ENVIRONMENT', pointsPerHour: 10 }), inside: ['CENTER_ADMIN'], outside: [], noResource: true },
  createReward: {
    input: (fx, side) => ({ name: unique('矩阵测试奖品'), kind: 'GOODS', price: 1, stationId: pick(side, fx.yingbin.id, fx.yongxian.id), stock: 5 }),
    ...STATION_STAFF,
  },
  updateReward: { input: (fx, side) => ({ id: pick(side, fx.rewardIn, fx.rewardOut), price: 1 }), ...STATION_STAFF },
  restockReward: { input: (fx, side) => ({ id: pick(side, fx.rewardIn, fx.rewardOut), delta: 1, reason: '补货' }), ...STATION_STAFF },
  // Any resident may redeem at any station; "outside" is a reward of another station.
  redeemReward: { input: (fx, side) => ({ rewardId: pick(side, fx.rewardIn, fx.rewardOut), quantity: 1, idempotencyKey: unique('matrix-redeem-') }), inside: SELF, outside: SELF },
  fulfilRedemption: { input: (fx, side) => ({ code: pick(side, fx.fulfilIn, fx.fulfilOut) }), inside: ['GRID_WORKER', ...STATION_STAFF.inside], outside: STATION_STAFF.outside },
  // The holder (周建华 inside) or the station.
  cancelRedemption: {
    input: (fx, side) => ({ redemptionId: pick(side, fx.cancelIn, fx.cancelOut) }),
    inside: ['RESIDENT', 'GRID_WORKER', ...STATION_STAFF.inside],
    outside: STATION_STAFF.outside,
  },
  // Always from the caller's own account; inside to a neighbour of 迎宾, outside to a resident of 永先.
  transferPoints: {
    input: (fx, side) => ({ toAccountId: pick(side, fx.accountNeighbour, fx.accountLiu), amount: 1, idempotencyKey: unique('matrix-transfer-') }),
    inside: SELF,
    outside: SELF,
  },
  adjustPoints: {
    input: (fx, side) => ({ accountId: pick(side, fx.accountZhou, fx.accountLiu), amount: 1, reason: '矩阵测试', idempotencyKey: unique('matrix-adjust-') }),
    ...CENTER_ONLY,
  },
  reverseTransaction: {
    input: (fx, side) => ({ transactionId: pick(side, fx.txIn, fx.txOut), reason: '矩阵测试', idempotencyKey: unique('matrix-reverse-') }),
    ...CENTER_ONLY,
  },

  // ── volunteers and people ─────────────────────────────────────────────────────────────────────────────────
  registerVolunteer: {
    // Self: registering oneself inside, someone else outside. Staff: a resident of the side.
    input: (fx, side, who) =>
      isSelf(who) && side === 'inside'
        ? { homeStationId: fx.yingbin.id, skills: [] }
        : { homeStationId: pick(side, fx.yingbin.id, fx.yongxian.id), skills: [], personId: pick(side, fx.zhou, fx.liu) },
    inside: [...SELF, 'GRID_WORKER', ...STATION_STAFF.inside],
    outside: STATION_STAFF.outside,
  },
  approveVolunteer: { input: (fx, side) => ({ volunteerId: pick(side, fx.volunteers.approveIn, fx.volunteers.approveOut) }), ...STATION_STAFF },
  rejectVolunteer: { input: (fx, side) => ({ volunteerId: pick(side, fx.volunteers.rejectIn, fx.volunteers.rejectOut), reason: '信息不实' }), ...STATION_STAFF },
  suspendVolunteer: { input: (fx, side) => ({ volunteerId: pick(side, fx.volunteers.suspendIn, fx.volunteers.suspendOut), reason: '暂停服务' }), ...STATION_STAFF },
  reinstateVolunteer: { input: (fx, side) => ({ volunteerId: pick(side, fx.volunteers.reinstateIn, fx.volunteers.reinstateOut) }), ...STATION_STAFF },
  // Self: own profile inside (何毅's), someone else's outside. Staff: a volunteer of the side.
  updateVolunteerProfile: {
    input: (fx, side, who) =>
      isSelf(who) && side === 'inside'
        ? { volunteerId: fx.heYiVolunteer, homeStationId: fx.yingbin.id }
        : pick(side, { volunteerId: fx.heYiVolunteer, homeStationId: fx.yingbin.id }, { volunteerId: fx.volunteerOut, homeStationId: fx.yongxian.id }),
    inside: ['VOLUNTEER', 'GRID_WORKER', ...STATION_STAFF.inside],
    outside: STATION_STAFF.outside,
  },
  joinTeam: {
    input: (fx, side, who) => (isSelf(who) && side === 'inside' ? { teamId: fx.teamIn.id } : pick(side, { teamId: fx.teamIn.id, volunteerId: fx.heYiVolunteer }, { teamId: fx.teamOut.id, volunteerId: fx.volunteerOut })),
    inside: ['VOLUNTEER', ...STATION_STAFF.inside],
    outside: STATION_STAFF.outside,
  },
  leaveTeam: {
    input: (fx, side, who) => (isSelf(who) && side === 'inside' ? { teamId: fx.teamIn.id } : pick(side, { teamId: fx.teamIn.id, volunteerId: fx.heYiVolunteer }, { teamId: fx.teamOut.id, volunteerId: fx.volunteerOut })),
    inside: ['VOLUNTEER', ...STATION_STAFF.inside],
    outside: STATION_STAFF.outside,
  },
  setTeamLeader: {
    input: (fx, side) => pick(side, { teamId: fx.teamIn.id, volunteerId: fx.volunteers.leaderIn, isLeader: false }, { teamId: fx.teamOut.id, volunteerId: fx.volunteers.leaderOut, isLeader: false }),
    ...STATION_STAFF,
  },
  addSkill: { input: () => ({ code: unique('MATRIX_SKILL_'), name: '矩阵测试技能' }), inside: ['CENTER_ADMIN'], outside: [], noResource: true },
  createActivity: {
    input: (fx, side) => ({
      title: '腾龙广场环境整治',
      category: 'ENVIRONMENT',
      organizingUnitId: pick(side, fx.yingbin.id, fx.yongxian.id),
      startsAt: new Date(Date.now() + 86_400_000).toISOString(),
      endsAt: new Date(Date.now() + 90_000_000).toISOString(),
      place: { name: '腾龙广场', location: { lat: 31.16, lng: 108.39 }, checkInRadiusMeters: 200 },
      capacity: 10,
    }),
    ...STATION_STAFF,
  },
  updateActivity: { input: (fx, side) => ({ id: pick(side, fx.activityIn, fx.activityOut), capacity: 50 }), ...STATION_STAFF },
  publishActivity: { input: (fx, side) => ({ activityId: pick(side, fx.activityIn, fx.activityOut) }), ...STATION_STAFF },
  cancelActivity: { input: (fx, side) => ({ activityId: pick(side, fx.activityIn, fx.activityOut), reason: '下雨' }), ...STATION_STAFF },
  completeActivity: { input: (fx, side) => ({ activityId: pick(side, fx.activityIn, fx.activityOut) }), ...STATION_STAFF },
  // A volunteer signs themself up for any activity; "outside" is an activity of another station.
  signUpForActivity: { input: (fx, side) => ({ activityId: pick(side, fx.activityIn, fx.activityOut) }), inside: ['VOLUNTEER'], outside: ['VOLUNTEER'] },
  cancelSignUp: { input: (fx, side) => ({ activityId: pick(side, fx.activityIn, fx.activityOut) }), inside: ['VOLUNTEER'], outside: ['VOLUNTEER'] },
  checkIn: { input: (fx, side) => ({ activityId: pick(side, fx.activityIn, fx.activityOut), location: { lat: 31.16, lng: 108.39 } }), inside: ['VOLUNTEER'], outside: ['VOLUNTEER'] },
  checkOut: { input: (fx, side) => ({ activityId: pick(side, fx.activityIn, fx.activityOut), location: { lat: 31.16, lng: 108.39 } }), inside: ['VOLUNTEER'], outside: ['VOLUNTEER'] },
  verifyServiceRecord: { input: (fx, side) => ({ recordId: pick(side, fx.records.verifyIn, fx.records.verifyOut) }), ...STATION_STAFF },
  verifyActivityRecords: { input: (fx, side) => ({ activityId: pick(side, fx.activityIn, fx.activityOut) }), ...STATION_STAFF },
  rejectServiceRecord: { input: (fx, side) => ({ recordId: pick(side, fx.records.rejectIn, fx.records.rejectOut), reason: '时长不符' }), ...STATION_STAFF },
  correctServiceMinutes: { input: (fx, side) => ({ recordId: pick(side, fx.records.correctIn, fx.records.correctOut), minutes: 45, reason: '按签到时间更正' }), ...STATION_STAFF },
  recordOfflineService: {
    input: (fx, side) => ({
      volunteerId: pick(side, fx.heYiVolunteer, fx.volunteerOut),
      unitId: pick(side, fx.yingbin.id, fx.yongxian.id),
      category: 'ENVIRONMENT',
      title: '线下环境整治',
      startedAt: new Date(Date.now() - 7_200_000).toISOString(),
      minutes: 60,
      evidence: '签到表照片',
    }),
    ...STATION_STAFF,
  },
  // Public: anyone may open an account or sign in.
  signUp: {
    input: (fx) => ({ realName: '矩阵测试', mobile: mobile(), idNumber: withCheckDigit(`50023419900101${String(serial % 1000).padStart(3, '0')}`), password: 'juzhen2026', homeUnitId: fx.yingbin.id }),
    inside: WHO,
    outside: WHO,
    noResource: true,
  },
  login: { input: (fx) => ({ phone: fx.loginPhone, password: 'juzhen2026' }), inside: WHO, outside: WHO, noResource: true },
  changePassword: { input: () => ({ currentPassword: 'kaizhou2026', newPassword: 'kaizhou2026' }), inside: PERSONS, outside: PERSONS, noResource: true },
  createStaffAccount: {
    input: (fx, side) => ({ realName: '矩阵测试员', mobile: mobile(), initialPassword: 'juzhen2026', role: 'STATION_ADMIN', unitId: pick(side, fx.yingbin.id, fx.yongxian.id) }),
    inside: ['INSTITUTE_ADMIN', 'CENTER_ADMIN'],
    outside: ['CENTER_ADMIN'],
  },
};

const MUTATIONS = readSupergraph().mutations;

// ── fixtures ─────────────────────────────────────────────────────────────────────────────────────────────────

let platform: Platform;
let fx: Fixtures;
const tokens = new Map<Who, string | undefined>();

async function must<T = Record<string, { id: string; [key: string]: unknown }>>(query: string, input: Input, token: string): Promise<T> {
  const result = await platform.query<T>(query, { input }, { token });
  if (result.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(result.errors)}`);
  return result.data!;
}

async function buildFixtures() {
  const unitRow = async (code: string) => {
    const [row] = await platform.org.query('SELECT id::text, path, name, is_demonstration AS "isDemonstration" FROM practice_unit WHERE code = $1', [code]);
    return row as { id: string; path: string; name: string; isDemonstration: boolean };
  };
  const yingbin = await unitRow('KZ-HANFENG-YINGBIN');
  const yongxian = await unitRow('KZ-YUNFENG-YONGXIAN');
  const hanfeng = await unitRow('KZ-HANFENG');
  const yunfeng = await unitRow('KZ-YUNFENG');
  const pointIn = (await unitRow('KZ-HANFENG-YINGBIN-GUOXUEYUAN')).id;
  const stationOut = (await unitRow('KZ-YUNFENG-S001')).id;

  // Replicas the seed does not fill (it writes no events): units in points, teams in volunteers.
  const units: UnitRef[] = await platform.org.query('SELECT id::text, code, path, level, name FROM practice_unit');
  await upsertUnitRefs(platform.points.manager, units, new Date(0).toISOString());
  const teams = await platform.org.query('SELECT id::text, code, name, kind, home_unit_id::text, home_unit_path, parent_team_id::text AS parent FROM team');
  for (const team of teams) {
    await platform.volunteers.query(
      `INSERT INTO team_ref (id, code, name, kind, home_unit_id, home_unit_path, version) VALUES ($1, $2, $3, $4, $5, $6, to_timestamp(0)) ON CONFLICT (id) DO NOTHING`,
      [team.id, team.code, team.name, team.kind, team.home_unit_id, team.home_unit_path],
    );
  }
  const teamAt = (unitId: string) => {
    const team = teams.find((t: { home_unit_id: string; kind: string }) => t.home_unit_id === unitId && t.kind === 'SQUAD');
    if (!team) throw new Error(`no squad at unit ${unitId}`);
    return { id: team.id as string, name: team.name as string, parentId: team.parent as string };
  };

  const personId = async (phone: string) => (await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [phone]))[0].id as string;
  const zhou = await personId('13900230008');
  const heYi = await personId('13900230007');
  const [{ id: heYiVolunteer }] = await platform.volunteers.query('SELECT id::text FROM volunteer WHERE person_id = $1', [heYi]);

  // People made directly in the volunteers database (as the volunteers e2e tests do).
  const aPerson = async (station: { id: string; path: string }, name = '矩阵居民') => {
    const [row] = await platform.volunteers.query(
      `INSERT INTO person (real_name, mobile, home_unit_id, home_unit_path) VALUES ($1, $2, $3, $4) RETURNING id::text`,
      [name, mobile(), station.id, station.path],
    );
    return row.id as string;
  };
  const aVolunteer = async (station: { id: string; path: string }, status: 'PENDING' | 'ACTIVE' | 'SUSPENDED') => {
    const [row] = await platform.volunteers.query(
      `INSERT INTO volunteer (person_id, status, home_station_id, home_station_path) VALUES ($1, $2, $3, $4) RETURNING id::text`,
      [await aPerson(station, '矩阵志愿者'), status, station.id, station.path],
    );
    return row.id as string;
  };
  const liu = await aPerson(yongxian, '刘芳');
  const neighbour = await aPerson(yingbin, '迎宾邻居');
  const volunteerOut = await aVolunteer(yongxian, 'ACTIVE');
  const volunteers = {
    approveIn: await aVolunteer(yingbin, 'PENDING'),
    approveOut: await aVolunteer(yongxian, 'PENDING'),
    rejectIn: await aVolunteer(yingbin, 'PENDING'),
    rejectOut: await aVolunteer(yongxian, 'PENDING'),
    suspendIn: await aVolunteer(yingbin, 'ACTIVE'),
    suspendOut: await aVolunteer(yongxian, 'ACTIVE'),
    reinstateIn: await aVolunteer(yingbin, 'SUSPENDED'),
    reinstateOut: await aVolunteer(yongxian, 'SUSPENDED'),
    leaderIn: await aVolunteer(yingbin, 'ACTIVE'),
    leaderOut: await aVolunteer(yongxian, 'ACTIVE'),
  };
  // Members of the squads: to leave a team (何毅, the volunteer of 永先) and to be named leader.
  const teamIn = teamAt(yingbin.id);
  const teamOut = teamAt(yongxian.id);
  const members = [[heYiVolunteer, teamIn.id], [volunteerOut, teamOut.id], [volunteers.leaderIn, teamIn.id], [volunteers.leaderOut, teamOut.id]];
  for (const [volunteerId, teamId] of members) {
    await platform.volunteers.query('INSERT INTO team_membership (volunteer_id, team_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [volunteerId, teamId]);
  }

  const center = await platform.tokenAs('CENTER_ADMIN', 'KZ', await personId('13900230001'));
  const stationAdmin = await platform.tokenAs('STATION_ADMIN', 'KZ-HANFENG-YINGBIN', await personId('13900230005'));
  const zhouToken = await platform.token({ sub: zhou, roles: ['RESIDENT'] });
  const liuToken = await platform.token({ sub: liu, roles: ['RESIDENT'] });

  // Orders: 周建华's, delivered by 何毅 and closed (a final state); 刘芳's at 永先, cancelled.
  const ORDER = (name: string, type: string) => `mutation($input: ${type}!) { ${name}(input: $input) { id status } }`;
  const placed = await must<{ placeOrder: { id: string } }>(ORDER('placeOrder', 'PlaceOrderInput'), { title: '健身器材生锈', category: 'SAFETY_FACILITIES', channel: 'APP' }, zhouToken);
  const orderIn = placed.placeOrder.id;
  await must(ORDER('dispatchOrder', 'DispatchOrderInput'), { orderId: orderIn, stationId: yingbin.id }, center);
  await must(ORDER('acceptOrder', 'OrderIdInput'), { orderId: orderIn }, stationAdmin);
  await must(ORDER('assignVolunteers', 'AssignVolunteersInput'), { orderId: orderIn, volunteerIds: [heYiVolunteer] }, stationAdmin);
  await must(ORDER('startService', 'OrderIdInput'), { orderId: orderIn }, stationAdmin);
  await must(ORDER('deliverOrder', 'DeliverOrderInput'), { orderId: orderIn, note: '已修好', outcome: 'FULL', minutes: [{ volunteerId: heYiVolunteer, minutes: 60 }] }, stationAdmin);
  await must(ORDER('closeOrder', 'OrderIdInput'), { orderId: orderIn }, center);
  const placedOut = await must<{ placeOrder: { id: string } }>(ORDER('placeOrder', 'PlaceOrderInput'), { title: '水管漏水', category: 'OTHER', channel: 'APP' }, liuToken);
  const orderOut = placedOut.placeOrder.id;
  await must(ORDER('cancelOrder', 'CancelOrderInput'), { orderId: orderOut, reason: '已自行修好' }, liuToken);

  // Care plans at each station, and a due time for visits.
  const CARE_PLAN = `mutation($input: CreateCarePlanInput!) { createCarePlan(input: $input) { id } }`;
  const carePlan = async (stationId: string) =>
    (
      await must<{ createCarePlan: { id: string } }>(
        CARE_PLAN,
        { beneficiary: { name: '王秀英', specialGroup: 'EMPTY_NEST_ELDERLY' }, stationId, frequency: 'WEEKLY', firstVisitAt: new Date(Date.now() + 86_400_000).toISOString() },
        center,
      )
    ).createCarePlan.id;
  const carePlanIn = await carePlan(yingbin.id);
  const carePlanOut = await carePlan(yongxian.id);

  // The love bank: funded accounts, rewards at each station, reserved redemptions, an adjustment on each side.
  const accountZhou = (await ensurePersonAccount(platform.points.manager, zhou, yingbin)).id;
  const accountLiu = (await ensurePersonAccount(platform.points.manager, liu, yongxian)).id;
  const accountNeighbour = (await ensurePersonAccount(platform.points.manager, neighbour, yingbin)).id;
  await platform.points.transaction(async (manager) => {
    const issuance = await systemAccountId(manager, 'ISSUANCE');
    for (const [person, station] of [[zhou, yingbin], [heYi, yingbin], [liu, yongxian]] as const) {
      const account = await ensurePersonAccount(manager, person, station);
      await postTransaction(manager, { kind: 'CREDIT', description: '矩阵测试入账', createdBy: 'test', postings: [{ accountId: issuance, amount: -1000 }, { accountId: account.id, amount: 1000 }] });
    }
  });
  const REWARD = `mutation($input: CreateRewardInput!) { createReward(input: $input) { id } }`;
  const reward = async (stationId: string) => (await must<{ createReward: { id: string } }>(REWARD, { name: unique('矩阵奖品'), kind: 'GOODS', price: 1, stationId, stock: 100 }, center)).createReward.id;
  const rewardIn = await reward(yingbin.id);
  const rewardOut = await reward(yongxian.id);
  const REDEEM = `mutation($input: RedeemRewardInput!) { redeemReward(input: $input) { id pickupCode } }`;
  const redeem = async (rewardId: string, token: string) =>
    (await must<{ redeemReward: { id: string; pickupCode: string } }>(REDEEM, { rewardId, quantity: 1, idempotencyKey: unique('matrix-fixture-') }, token)).redeemReward;
  const fulfilIn = (await redeem(rewardIn, zhouToken)).pickupCode;
  const fulfilOut = (await redeem(rewardOut, liuToken)).pickupCode;
  const cancelIn = (await redeem(rewardIn, zhouToken)).id;
  const cancelOut = (await redeem(rewardOut, liuToken)).id;
  const ADJUST = `mutation($input: AdjustPointsInput!) { adjustPoints(input: $input) { id } }`;
  const adjust = async (accountId: string) => (await must<{ adjustPoints: { id: string } }>(ADJUST, { accountId, amount: 5, reason: '矩阵测试', idempotencyKey: unique('matrix-fixture-') }, center)).adjustPoints.id;
  const txIn = await adjust(accountZhou);
  const txOut = await adjust(accountLiu);

  // Activities that are over (DONE), and pending service records of each.
  const activity = async (unit: { id: string; path: string }) => {
    const [row] = await platform.volunteers.query(
      `INSERT INTO activity (title, category, organizing_unit_id, organizing_unit_path, starts_at, ends_at, place_name, lat, lng, check_in_radius_m, capacity, status, created_by)
       VALUES ('矩阵测试活动', 'ENVIRONMENT', $1, $2, now() - interval '3 hours', now() - interval '1 hour', '腾龙广场', 31.16, 108.39, 200, 50, 'DONE', 'test') RETURNING id::text`,
      [unit.id, unit.path],
    );
    return row.id as string;
  };
  const activityIn = await activity(yingbin);
  const activityOut = await activity(yongxian);
  const record = async (volunteerId: string, activityId: string, unit: { id: string; path: string }) => {
    const [row] = await platform.volunteers.query(
      `INSERT INTO service_record (volunteer_id, activity_id, unit_id, unit_path, category, title, started_at, minutes, source, created_by)
       VALUES ($1, $2, $3, $4, 'ENVIRONMENT', '矩阵测试活动', now() - interval '3 hours', 60, 'CHECK_OUT', 'test') RETURNING id::text`,
      [volunteerId, activityId, unit.id, unit.path],
    );
    await platform.volunteers.query(`INSERT INTO service_record_change (record_id, action, new_minutes, changed_by) VALUES ($1, 'CREATED', 60, 'test')`, [row.id]);
    return row.id as string;
  };
  const records = {
    verifyIn: await record(heYiVolunteer, await activity(yingbin), yingbin),
    verifyOut: await record(volunteerOut, await activity(yongxian), yongxian),
    rejectIn: await record(heYiVolunteer, await activity(yingbin), yingbin),
    rejectOut: await record(volunteerOut, await activity(yongxian), yongxian),
    correctIn: await record(heYiVolunteer, await activity(yingbin), yingbin),
    correctOut: await record(volunteerOut, await activity(yongxian), yongxian),
  };

  // Deliveries already SENT (so an allowed retry fails with INVALID_TRANSITION), about a subject on each side.
  const delivery = async (unitPath: string) => {
    const [notification] = await platform.notifications.query(
      `INSERT INTO notification (recipient_person_id, event_id, kind, audience, title, body, unit_path)
       VALUES ($1, gen_random_uuid(), 'order.dispatched', 'STATION_ADMIN', '新订单', '矩阵测试', $2) RETURNING id::text`,
      [zhou, unitPath],
    );
    const [row] = await platform.notifications.query(
      `INSERT INTO delivery (notification_id, channel, status, next_attempt_at, sent_at) VALUES ($1, 'SMS', 'SENT', now(), now()) RETURNING id::text`,
      [notification.id],
    );
    return row.id as string;
  };
  const deliveryIn = await delivery(yingbin.path);
  const deliveryOut = await delivery(yongxian.path);

  // Someone to sign in as (a public mutation).
  const loginPhone = mobile();
  await must(`mutation($input: SignUpInput!) { signUp(input: $input) { token } }`, {
    realName: '矩阵登录',
    mobile: loginPhone,
    idNumber: withCheckDigit('50023419910101123'),
    password: 'juzhen2026',
    homeUnitId: yingbin.id,
  }, '');

  return {
    yingbin, yongxian, hanfeng, yunfeng, pointIn, stationOut,
    teamIn, teamOut,
    zhou, heYi, heYiVolunteer, liu, volunteerOut, volunteers,
    orderIn, orderOut, carePlanIn, carePlanOut, visitDueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    accountZhou, accountLiu, accountNeighbour, rewardIn, rewardOut, fulfilIn, fulfilOut, cancelIn, cancelOut, txIn, txOut,
    activityIn, activityOut, records, deliveryIn, deliveryOut, loginPhone,
  };
}

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  const personId = async (phone: string) => (await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [phone]))[0].id as string;
  const staff = async (role: Role, unitCode: string, phone: string) => platform.tokenAs(role, unitCode, await personId(phone));
  tokens.set('NOBODY', undefined);
  tokens.set('CENTER_ADMIN', await staff('CENTER_ADMIN', 'KZ', '13900230001'));
  tokens.set('DISPATCHER', await staff('DISPATCHER', 'KZ', '13900230002'));
  tokens.set('ANALYST', await staff('ANALYST', 'KZ', '13900230003'));
  tokens.set('INSTITUTE_ADMIN', await staff('INSTITUTE_ADMIN', 'KZ-HANFENG', '13900230004'));
  tokens.set('STATION_ADMIN', await staff('STATION_ADMIN', 'KZ-HANFENG-YINGBIN', '13900230005'));
  tokens.set('GRID_WORKER', await staff('GRID_WORKER', 'KZ-HANFENG-YINGBIN', '13900230006'));
  const self = async (role: Role, phone: string) => platform.token({ sub: await personId(phone), roles: [role] } satisfies Claims);
  tokens.set('VOLUNTEER', await self('VOLUNTEER', '13900230007'));
  tokens.set('RESIDENT', await self('RESIDENT', '13900230008'));
  tokens.set('SERVICE', await platform.token({ sub: 'dispatch-worker', roles: ['SERVICE'] }));
  fx = await buildFixtures();
}, 60_000);

afterAll(() => platform?.stop());

// ── the matrix ──────────────────────────────────────────────────────────────────────────────────────────────

type Outcome = 'allow' | 'deny' | `unexpected ${string}`;

function classify(who: Who, codes: string[]): Outcome {
  if (codes.length === 0 || codes.every((code) => ALLOWED_CODES.has(code))) return 'allow';
  if (codes.length === 1 && codes[0] === (who === 'NOBODY' ? 'UNAUTHENTICATED' : 'FORBIDDEN')) return 'deny';
  return `unexpected ${codes.join(',')}`;
}

describe('the access matrix', () => {
  it('has an entry for every mutation of the supergraph, and none for a mutation that does not exist', () => {
    expect(Object.keys(MATRIX).sort()).toEqual([...MUTATIONS.keys()].sort());
  });

  // registerVolunteer last: it makes 周建华 (the RESIDENT) a pending volunteer, which would change his other answers.
  const order = [...MUTATIONS.keys()].sort((a, b) => Number(a === 'registerVolunteer') - Number(b === 'registerVolunteer'));
  it.each(order)('%s: allows and denies as ROLES.md says', async (name) => {
    const entry = MATRIX[name];
    if (!entry) throw new Error(`${name} has no entry in the access matrix`);
    const document = mutationDocument(MUTATIONS.get(name)!);
    const sides: Side[] = entry.noResource ? ['inside'] : ['inside', 'outside'];
    const cells = sides.flatMap((side) => WHO.map((who) => ({ side, who, expected: (entry[side].includes(who) ? 'allow' : 'deny') as Outcome })));
    // Denials first: an allowed call may change the resource (approve a volunteer), never the answer to a denied one.
    cells.sort((a, b) => Number(a.expected === 'allow') - Number(b.expected === 'allow'));
    const mismatches: string[] = [];
    for (const cell of cells) {
      const result = await platform.query(document, { input: entry.input(fx, cell.side, cell.who) }, { token: tokens.get(cell.who) });
      const codes = (result.errors ?? []).map((error) => String(error.extensions?.code));
      const outcome = classify(cell.who, codes);
      if (outcome !== cell.expected) {
        mismatches.push(`${cell.who} ${cell.side}: expected ${cell.expected}, got ${outcome} (${result.errors?.[0]?.message ?? 'ok'})`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
