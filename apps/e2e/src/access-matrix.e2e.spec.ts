import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { Claims, Role, withCheckDigit } from '@kz/auth';
import { upsertUnitRefs, UnitRef } from '@kz/org-replica';
import { ensurePersonAccount, postTransaction, systemAccountId } from '@kz/points-subgraph';
import { FakeWeChat } from '@kz/testing';
import { Platform, startPlatform } from './stack';
import { mutationDocument, readSupergraph } from './supergraph-schema';

/**
 * The access matrix: every mutation of the supergraph, and the reads of people, volunteers, points accounts and
 * certificate PDFs (read rows, below the mutations' table), as every role of `shared/ROLES.md` and as nobody, against a
 * resource inside and one outside the caller's subtree, compared with an expectation table written from ROLES.md.
 *
 * Callers are single-role tokens as `npm run token` makes them, for the demo people (so that person ids are real):
 * CENTER_ADMIN and DISPATCHER at the center; INSTITUTE_ADMIN and ANALYST at 汉丰街道 (so that an analyst has an
 * outside); STATION_ADMIN and GRID_WORKER at
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
 * - not found: exactly NOT_FOUND, for a caller who may make the call but looks the resource up among their own scope
 *   only (a pickup code at their counter), so one outside it answers as one that does not exist (`notFoundOutside`).
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
  /** Callers who get exactly NOT_FOUND outside: the lookup is inside their scope only, and says nothing of the rest. */
  notFoundOutside?: Who[];
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
/** A photo each caller uploaded (`POST /uploads`): upload ids are the uploader's own, so each caller sends theirs. */
const uploads = new Map<Who, string>();
const photoOf = (who: Who) => ({ photoIds: [uploads.get(who) ?? 'not.an-upload'] });

const MATRIX: Record<string, Entry> = {
  // ── notifications ──────────────────────────────────────────────────────────────────────────────────────────
  markNotificationsRead: { input: () => ({ all: true }), inside: PERSONS, outside: PERSONS, noResource: true },
  setNotificationPreference: { input: () => ({ kind: '*', channels: ['INBOX'] }), inside: PERSONS, outside: PERSONS, noResource: true },
  recordWeChatSubscription: { input: () => ({ kinds: ['order.dispatched'] }), inside: PERSONS, outside: PERSONS, noResource: true },
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
      ...photoOf(who),
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
    input: (fx, side, who) => ({ ...orderOf(fx, side), note: '已修好', outcome: 'FULL', minutes: [{ volunteerId: fx.heYiVolunteer, minutes: 30 }], ...photoOf(who) }),
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
  // Counter staff of another station hear "no such code here" (NOT_FOUND), as for a code that exists nowhere.
  fulfilRedemption: {
    input: (fx, side) => ({ code: pick(side, fx.fulfilIn, fx.fulfilOut) }),
    inside: ['GRID_WORKER', ...STATION_STAFF.inside],
    outside: STATION_STAFF.outside,
    notFoundOutside: ['GRID_WORKER', 'STATION_ADMIN', 'INSTITUTE_ADMIN'],
  },
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
  // 办法 Art. 13: a volunteer disputes their own verified record (何毅's inside, another volunteer's outside); nobody
  // disputes a record for someone else, staff included.
  requestServiceRecordCorrection: {
    input: (fx, side) => ({ recordId: pick(side, fx.corrections.disputeIn, fx.corrections.disputeOut), minutes: 75, reason: '签退时间记录有误' }),
    inside: ['VOLUNTEER'],
    outside: [],
  },
  // Decided by the admins who may correct the record: station staff in scope, as correctServiceMinutes.
  acceptServiceRecordCorrection: {
    input: (fx, side) => ({ requestId: pick(side, fx.corrections.acceptIn, fx.corrections.acceptOut), reason: '核对签到表属实' }),
    ...STATION_STAFF,
  },
  declineServiceRecordCorrection: {
    input: (fx, side) => ({ requestId: pick(side, fx.corrections.declineIn, fx.corrections.declineOut), reason: '签到表显示按时签退' }),
    ...STATION_STAFF,
  },
  recordOfflineService: {
    input: (fx, side, who) => ({
      volunteerId: pick(side, fx.heYiVolunteer, fx.volunteerOut),
      unitId: pick(side, fx.yingbin.id, fx.yongxian.id),
      category: 'ENVIRONMENT',
      title: '线下环境整治',
      place: '腾龙广场',
      content: '清理广场垃圾',
      startedAt: new Date(Date.now() - 7_200_000).toISOString(),
      minutes: 60,
      evidence: '签到表照片',
      ...photoOf(who),
    }),
    ...STATION_STAFF,
  },
  // One's own consent (every person), or one from a signed paper form by the registrars of the person's subtree.
  recordConsent: {
    input: (fx, side, who) =>
      isSelf(who) && side === 'inside'
        ? { purpose: 'EXPORT', policyVersion: '2026-01' }
        : { personId: pick(side, fx.zhou, fx.liu), purpose: 'EXPORT', policyVersion: '2026-01', paperReference: unique('matrix-consent-') },
    inside: [...SELF, 'GRID_WORKER', ...STATION_STAFF.inside],
    outside: STATION_STAFF.outside,
  },
  // Exchange readiness (条例 Art. 19; 办法 Art. 4): the center admin only, institute admins included among the refused.
  setExternalId: {
    input: (fx, side) => ({ kind: 'RECORD', entityId: pick(side, fx.records.correctIn, fx.records.correctOut), target: 'PROVINCIAL', externalId: unique('matrix-ext-') }),
    ...CENTER_ONLY,
  },
  exportServiceRecords: {
    // A range with no service in it: the export is as small as an export gets, and logged all the same.
    input: (fx, side) => ({ unitId: pick(side, fx.yingbin.id, fx.yongxian.id), from: '2001-01-01T00:00:00Z', to: '2001-01-02T00:00:00Z' }),
    ...CENTER_ONLY,
  },
  // Recognition (办法 Arts. 8–10): admins of the unit or the volunteer's home station, and the center everywhere; the
  // star ladder is the center admin's (set to the default, so the rest of the run reads the same ladder).
  recordTraining: {
    input: (fx, side) => ({
      unitId: pick(side, fx.yingbin.id, fx.yongxian.id),
      name: '矩阵培训',
      content: '应急救护',
      hours: 1.5,
      heldOn: '2026-01-05',
      volunteerIds: [pick(side, fx.heYiVolunteer, fx.volunteerOut)],
    }),
    ...STATION_STAFF,
  },
  recordAward: {
    input: (fx, side) => ({ volunteerId: pick(side, fx.heYiVolunteer, fx.volunteerOut), name: '矩阵优秀志愿者', awardedOn: '2026-01-05', kind: 'UNIT' }),
    ...STATION_STAFF,
  },
  // Allowed callers meet the eligibility rule (BAD_USER_INPUT) or grant 1★ once, harmlessly.
  grantStar: { input: (fx, side) => ({ volunteerId: pick(side, fx.heYiVolunteer, fx.volunteerOut), level: 5 }), ...STATION_STAFF },
  evaluateServiceRecord: { input: (fx, side) => ({ recordId: pick(side, fx.records.correctIn, fx.records.correctOut), rating: 4, note: '服务认真' }), ...STATION_STAFF },
  setStarThresholds: { input: () => ({ hours: [100, 300, 600, 1000, 1500] }), ...CENTER_ONLY, noResource: true },
  // Certificates by the recorder (办法 Arts. 14, 15): the record admins of the issuing unit's subtree.
  issueServiceCertificate: {
    input: (fx, side) => ({
      unitId: pick(side, fx.yingbin.id, fx.yongxian.id),
      volunteerId: pick(side, fx.heYiVolunteer, fx.volunteerOut),
      recordIds: [pick(side, fx.corrections.disputeIn, fx.corrections.disputeOut)],
      legalName: '矩阵测试单位',
      uscc: '91440300708461136T',
      headName: '矩阵负责人',
    }),
    ...STATION_STAFF,
  },
  // The first allowed caller revokes it; the others fail harmlessly (INVALID_TRANSITION).
  revokeServiceCertificate: { input: (fx, side) => ({ number: pick(side, fx.certificates.in, fx.certificates.out), reason: '矩阵测试' }), ...STATION_STAFF },
  // Public: anyone may open an account or sign in.
  signUp: {
    input: (fx) => ({ realName: '矩阵测试', mobile: mobile(), idNumber: withCheckDigit(`50023419900101${String(serial % 1000).padStart(3, '0')}`), password: 'juzhen2026', homeUnitId: fx.yingbin.id }),
    inside: WHO,
    outside: WHO,
    noResource: true,
  },
  login: { input: (fx) => ({ phone: fx.loginPhone, password: 'juzhen2026' }), inside: WHO, outside: WHO, noResource: true },
  changePassword: { input: () => ({ currentPassword: 'kaizhou2026', newPassword: 'kaizhou2026' }), inside: PERSONS, outside: PERSONS, noResource: true },
  // One's own account only, and not a staff account (the center removes staff roles first: FORBIDDEN). The wrong
  // password makes an allowed call fail harmlessly (BAD_USER_INPUT), so no demo account is closed.
  closeMyAccount: { input: () => ({ confirm: true, password: 'not-the-password1' }), inside: SELF, outside: SELF, noResource: true },
  createStaffAccount: {
    input: (fx, side) => ({ realName: '矩阵测试员', mobile: mobile(), initialPassword: 'juzhen2026', role: 'STATION_ADMIN', unitId: pick(side, fx.yingbin.id, fx.yongxian.id) }),
    inside: ['INSTITUTE_ADMIN', 'CENTER_ADMIN'],
    outside: ['CENTER_ADMIN'],
  },
  // Signing in with WeChat is public (a WeChat stand-in answers); a used sign-up ticket is CONFLICT.
  loginWithWeChat: { input: () => ({ code: wechat.loginCode(unique('o-matrix-')) }), inside: WHO, outside: WHO, noResource: true },
  bindWeChatPhone: { input: (fx) => ({ ticket: fx.wechatBindTicket, phoneCode: wechat.phoneCode(mobile()) }), inside: WHO, outside: WHO, noResource: true },
  completeWeChatSignUp: { input: (fx) => ({ ticket: fx.wechatSignUpTicket, realName: '矩阵微信', homeUnitId: fx.yingbin.id }), inside: WHO, outside: WHO, noResource: true },
  // One's own binding, or (admins, like staff accounts) that of a person of the subtree.
  unbindWeChat: {
    input: (fx, side, who) => ({ personId: pick(side, who === 'VOLUNTEER' ? fx.heYi : fx.zhou, fx.liu) }),
    inside: [...SELF, ...STATION_STAFF.inside],
    outside: STATION_STAFF.outside,
  },
};

// ── reads of people, volunteers and accounts ──────────────────────────────────────────────────────────────────

/**
 * Read rows: the same callers, asking for a record inside, outside and one that does not exist ("missing", id
 * 987654321). Outcomes: `clear` (the person's real name in clear), `masked` (masked forms only), `allow` (the record,
 * for rows without a person), `absent` (null without an error: only for a caller who sees everywhere, from whom nothing
 * is hidden), `deny` (null with exactly FORBIDDEN, or UNAUTHENTICATED for nobody). A missing id answers as outside
 * does, so a denial never tells whether the record exists. Written from ROLES.md ("personal data in clear only to
 * the person and to staff in scope"; ANALYST "no personal data beyond masked forms"); docs/api.md, "Who may read a
 * person", says the same in prose:
 * - person(id): the person and the staff of their subtree (grid worker, station and institute admins; the center admin
 *   everywhere) in clear; analysts of the subtree and the dispatcher (who reads every order) masked; no one else, not
 *   SERVICE either (workers read people through staffAbove, volunteerPersons and notificationContacts). Parties of an
 *   order see each other through the order (people.e2e.spec.ts), not by id.
 * - volunteer(id): the volunteer, staff of the home station's subtree (the analyst with the person masked), the
 *   dispatcher and the center everywhere. The resident has no profile: inside is 何毅's, not his.
 * - pointsAccount(id): the holder, station and institute admins of the subtree, the center; SERVICE any (for who
 *   holds it, its figures stay closed). Volunteer.pointsAccount: the same, among those who see the volunteer; the
 *   others who see the volunteer (grid worker, analyst, dispatcher) get the field null with FORBIDDEN.
 * - PracticeUnit.dailyFigures (the analytics subgraph; statistics, like orderStats): staff whose subtree holds the unit
 *   (grid worker, station and institute admins), the analyst of the subtree ("read statistics"), the dispatcher and
 *   the center everywhere; residents, volunteers and SERVICE get the field null with FORBIDDEN. Units are public to
 *   everyone signed in, so a missing unit is null for all of them, before any figure is asked for.
 */
type ReadOutcome = 'clear' | 'masked' | 'allow' | 'absent' | 'deny' | `unexpected ${string}`;
type ReadSide = Side | 'missing';
type Data = Record<string, Record<string, unknown> | null>;

interface ReadRow {
  document: string;
  id(fx: Fixtures, side: Side, who: Who): string;
  /** The record the row asks for, in the answer's data. */
  record(data: Data): unknown;
  /** The person's real name in the record, for rows that show a person. */
  realName?(record: Record<string, unknown>): string;
  /** What each caller gets inside and outside; a caller not named is denied. */
  inside: Partial<Record<Who, ReadOutcome>>;
  outside: Partial<Record<Who, ReadOutcome>>;
  /** Callers who see everywhere: a missing id is `absent` for them, `deny` for everyone else. */
  everywhere: Who[];
}

const MISSING_ID = '987654321';
const CLEAR_IN_SCOPE = { GRID_WORKER: 'clear', STATION_ADMIN: 'clear', INSTITUTE_ADMIN: 'clear', CENTER_ADMIN: 'clear' } as const;
const personName = (record: Record<string, unknown>) => String(record.realName);

const READS: Record<string, ReadRow> = {
  person: {
    document: 'query($id: ID!) { person(id: $id) { id realName } }',
    id: (fx, side, who) => pick(side, who === 'VOLUNTEER' ? fx.heYi : fx.zhou, fx.liu),
    record: (data) => data.person,
    realName: personName,
    inside: { RESIDENT: 'clear', VOLUNTEER: 'clear', ...CLEAR_IN_SCOPE, DISPATCHER: 'masked', ANALYST: 'masked' },
    outside: { CENTER_ADMIN: 'clear', DISPATCHER: 'masked' },
    everywhere: ['CENTER_ADMIN', 'DISPATCHER'],
  },
  volunteer: {
    document: 'query($id: ID!) { volunteer(id: $id) { id person { realName } } }',
    id: (fx, side) => pick(side, fx.heYiVolunteer, fx.volunteerOut),
    record: (data) => data.volunteer,
    realName: (record) => personName(record.person as Record<string, unknown>),
    inside: { VOLUNTEER: 'clear', ...CLEAR_IN_SCOPE, DISPATCHER: 'masked', ANALYST: 'masked' },
    outside: { CENTER_ADMIN: 'clear', DISPATCHER: 'masked' },
    everywhere: ['CENTER_ADMIN', 'DISPATCHER'],
  },
  pointsAccount: {
    document: 'query($id: ID!) { pointsAccount(id: $id) { id holder { id } } }',
    id: (fx, side, who) => pick(side, who === 'VOLUNTEER' ? fx.accountHeYi : fx.accountZhou, fx.accountLiu),
    record: (data) => data.pointsAccount,
    inside: { RESIDENT: 'allow', VOLUNTEER: 'allow', STATION_ADMIN: 'allow', INSTITUTE_ADMIN: 'allow', CENTER_ADMIN: 'allow', SERVICE: 'allow' },
    outside: { CENTER_ADMIN: 'allow', SERVICE: 'allow' },
    everywhere: ['CENTER_ADMIN', 'SERVICE'],
  },
  'PracticeUnit.dailyFigures': {
    document: 'query($id: ID!) { unit(id: $id) { dailyFigures(from: "2026-01-01", to: "2026-01-07") { day ordersPlaced } } }',
    id: (fx, side) => pick(side, fx.yingbin.id, fx.yongxian.id),
    record: (data) => data.unit?.dailyFigures ?? null,
    inside: { GRID_WORKER: 'allow', STATION_ADMIN: 'allow', INSTITUTE_ADMIN: 'allow', ANALYST: 'allow', DISPATCHER: 'allow', CENTER_ADMIN: 'allow' },
    outside: { DISPATCHER: 'allow', CENTER_ADMIN: 'allow' },
    everywhere: WHO.filter((who) => who !== 'NOBODY'),
  },
  // The certificate's PDF: the volunteer it was issued to and staff who read records in scope of the issuing unit.
  certificatePdf: {
    document: 'query($id: String!) { certificatePdf(number: $id) { name } }',
    id: (fx, side) => pick(side, fx.certificates.in, fx.certificates.out),
    record: (data) => data.certificatePdf,
    inside: { VOLUNTEER: 'allow', GRID_WORKER: 'allow', STATION_ADMIN: 'allow', INSTITUTE_ADMIN: 'allow', ANALYST: 'allow', CENTER_ADMIN: 'allow' },
    outside: { CENTER_ADMIN: 'allow' },
    everywhere: ['CENTER_ADMIN'],
  },
  'Volunteer.pointsAccount': {
    document: 'query($id: ID!) { volunteer(id: $id) { pointsAccount { id } } }',
    id: (fx, side) => pick(side, fx.heYiVolunteer, fx.volunteerOut),
    record: (data) => data.volunteer?.pointsAccount ?? null,
    inside: { VOLUNTEER: 'allow', STATION_ADMIN: 'allow', INSTITUTE_ADMIN: 'allow', CENTER_ADMIN: 'allow' },
    outside: { CENTER_ADMIN: 'allow' },
    everywhere: ['CENTER_ADMIN', 'DISPATCHER'],
  },
};

function classifyRead(row: ReadRow, who: Who, data: Data | null | undefined, codes: string[]): ReadOutcome {
  const record = data ? row.record(data) : null;
  if (codes.length === 0) {
    if (record === null || record === undefined) return 'absent';
    if (!row.realName) return 'allow';
    return row.realName(record as Record<string, unknown>).includes('*') ? 'masked' : 'clear';
  }
  if ((record === null || record === undefined) && codes.length === 1 && codes[0] === (who === 'NOBODY' ? 'UNAUTHENTICATED' : 'FORBIDDEN')) return 'deny';
  return `unexpected ${codes.join(',')}`;
}

const MUTATIONS = readSupergraph().mutations;

// ── fixtures ─────────────────────────────────────────────────────────────────────────────────────────────────

let platform: Platform;
let wechat: FakeWeChat;
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
  const accountHeYi = (await ensurePersonAccount(platform.points.manager, heYi, yingbin)).id;
  const [{ id: volunteerOutPerson }] = await platform.volunteers.query('SELECT person_id::text AS id FROM volunteer WHERE id = $1', [volunteerOut]);
  await ensurePersonAccount(platform.points.manager, volunteerOutPerson, yongxian);
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

  // Verified records, and open correction requests on others, as their volunteers made them (办法 Art. 13).
  const verifiedRecord = async (volunteerId: string, unit: { id: string; path: string }) => {
    const id = await record(volunteerId, await activity(unit), unit);
    await platform.volunteers.query(`UPDATE service_record SET status = 'VERIFIED', verified_by = 'test', verified_at = now() WHERE id = $1`, [id]);
    return id;
  };
  const correctionRequest = async (volunteerId: string, unit: { id: string; path: string }) => {
    const [row] = await platform.volunteers.query(
      `INSERT INTO service_record_correction_request (record_id, volunteer_id, current_minutes, proposed_minutes, reason, requested_by)
       SELECT $1, v.id, 60, 90, '矩阵测试', v.person_id::text FROM volunteer v WHERE v.id = $2 RETURNING id::text`,
      [await verifiedRecord(volunteerId, unit), volunteerId],
    );
    return row.id as string;
  };
  const corrections = {
    disputeIn: await verifiedRecord(heYiVolunteer, yingbin),
    disputeOut: await verifiedRecord(volunteerOut, yongxian),
    acceptIn: await correctionRequest(heYiVolunteer, yingbin),
    acceptOut: await correctionRequest(volunteerOut, yongxian),
    declineIn: await correctionRequest(heYiVolunteer, yingbin),
    declineOut: await correctionRequest(volunteerOut, yongxian),
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
  // Issued certificates, one on each side, to revoke and to read as PDF (contents as issue freezes them; unsigned).
  const certificate = async (volunteerId: string, unit: { id: string; path: string }, recordId: string) => {
    // A well-formed number (base32: A–Z and 2–7), as certificatePdf looks up nothing else.
    const number = `ZYFW-${randomBytes(16).toString('hex').toUpperCase().replace(/[0189]/g, 'Z').slice(0, 26)}`;
    const contents = {
      volunteerName: '矩阵测试',
      documentType: null,
      documentNumberMasked: null,
      nationalVolunteerNumber: null,
      lines: [{ recordId, date: '2026-01-05', activity: '矩阵测试活动', content: '矩阵测试', hours: 1 }],
      totalHours: 1,
      hoursRule: 'DECIMAL_2',
      unitName: '矩阵测试单位',
      legalName: '矩阵测试单位',
      uscc: '91440300708461136T',
      headName: '李主任',
      handlerName: '王站长',
      issueDate: '2026-01-06',
    };
    const [row] = await platform.volunteers.query(
      `INSERT INTO service_certificate (number, volunteer_id, unit_id, unit_path, contents, total_hours, period_from, period_to, issued_by)
       VALUES ($1, $2, $3, $4, $5, 1, '2026-01-05', '2026-01-05', 'test') RETURNING id::text`,
      [number, volunteerId, unit.id, unit.path, JSON.stringify(contents)],
    );
    await platform.volunteers.query('INSERT INTO service_certificate_record (certificate_id, record_id) VALUES ($1, $2)', [row.id, recordId]);
    return number;
  };
  const certificates = {
    in: await certificate(heYiVolunteer, yingbin, corrections.disputeIn),
    out: await certificate(volunteerOut, yongxian, corrections.disputeOut),
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

  // Tickets of signing in with WeChat: one to bind a phone, one to open an account.
  const LOGIN_WECHAT = `mutation($input: LoginWithWeChatInput!) { loginWithWeChat(input: $input) { ticket } }`;
  const wechatBindTicket = (await must<{ loginWithWeChat: { ticket: string } }>(LOGIN_WECHAT, { code: wechat.loginCode(unique('o-matrix-bind-')) }, '')).loginWithWeChat.ticket;
  const BIND_WECHAT = `mutation($input: BindWeChatPhoneInput!) { bindWeChatPhone(input: $input) { ticket } }`;
  const wechatSignUpTicket = (await must<{ bindWeChatPhone: { ticket: string } }>(BIND_WECHAT, { ticket: wechatBindTicket, phoneCode: wechat.phoneCode(mobile()) }, '')).bindWeChatPhone.ticket;

  return {
    wechatBindTicket, wechatSignUpTicket,
    yingbin, yongxian, hanfeng, yunfeng, pointIn, stationOut,
    teamIn, teamOut,
    zhou, heYi, heYiVolunteer, liu, volunteerOut, volunteers,
    orderIn, orderOut, carePlanIn, carePlanOut, visitDueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    accountZhou, accountLiu, accountNeighbour, accountHeYi, rewardIn, rewardOut, fulfilIn, fulfilOut, cancelIn, cancelOut, txIn, txOut,
    activityIn, activityOut, records, corrections, certificates, deliveryIn, deliveryOut, loginPhone,
  };
}

beforeAll(async () => {
  wechat = await FakeWeChat.start();
  platform = await startPlatform({ seed: 'demo', env: { WECHAT_APP_ID: wechat.appId, WECHAT_APP_SECRET: wechat.appSecret, WECHAT_API_BASE: wechat.url } });
  const personId = async (phone: string) => (await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [phone]))[0].id as string;
  const staff = async (role: Role, unitCode: string, phone: string) => platform.tokenAs(role, unitCode, await personId(phone));
  tokens.set('NOBODY', undefined);
  tokens.set('CENTER_ADMIN', await staff('CENTER_ADMIN', 'KZ', '13900230001'));
  tokens.set('DISPATCHER', await staff('DISPATCHER', 'KZ', '13900230002'));
  tokens.set('ANALYST', await staff('ANALYST', 'KZ-HANFENG', '13900230003'));
  tokens.set('INSTITUTE_ADMIN', await staff('INSTITUTE_ADMIN', 'KZ-HANFENG', '13900230004'));
  tokens.set('STATION_ADMIN', await staff('STATION_ADMIN', 'KZ-HANFENG-YINGBIN', '13900230005'));
  tokens.set('GRID_WORKER', await staff('GRID_WORKER', 'KZ-HANFENG-YINGBIN', '13900230006'));
  const self = async (role: Role, phone: string) => platform.token({ sub: await personId(phone), roles: [role] } satisfies Claims);
  tokens.set('VOLUNTEER', await self('VOLUNTEER', '13900230007'));
  tokens.set('RESIDENT', await self('RESIDENT', '13900230008'));
  tokens.set('SERVICE', await platform.token({ sub: 'dispatch-worker', roles: ['SERVICE'] }));
  const photo = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } }).png().toBuffer();
  for (const who of WHO.filter((caller) => caller !== 'NOBODY')) {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(photo)], { type: 'image/png' }), 'photo.png');
    const response = await fetch(platform.gatewayUrl.replace(/\/graphql$/, '/uploads'), { method: 'POST', headers: { authorization: `Bearer ${tokens.get(who)}` }, body: form });
    uploads.set(who, ((await response.json()) as { uploadId: string }).uploadId);
  }
  fx = await buildFixtures();
});

afterAll(async () => {
  await platform?.stop();
  await wechat?.stop();
});

// ── the matrix ──────────────────────────────────────────────────────────────────────────────────────────────

type Outcome = 'allow' | 'deny' | 'not found' | `unexpected ${string}`;

function classify(who: Who, codes: string[], expected: Outcome): Outcome {
  if (expected === 'not found' && codes.length === 1 && codes[0] === 'NOT_FOUND') return 'not found';
  if (codes.length === 0 || codes.every((code) => ALLOWED_CODES.has(code))) return 'allow';
  if (codes.length === 1 && codes[0] === (who === 'NOBODY' ? 'UNAUTHENTICATED' : 'FORBIDDEN')) return 'deny';
  return `unexpected ${codes.join(',')}`;
}

describe('the access matrix: reads', () => {
  it.each(Object.keys(READS))('%s: shows and hides as ROLES.md says', async (name) => {
    const row = READS[name]!;
    const mismatches: string[] = [];
    for (const side of ['inside', 'outside', 'missing'] as ReadSide[]) {
      for (const who of WHO) {
        const expected: ReadOutcome =
          side === 'missing' ? (row.everywhere.includes(who) ? 'absent' : 'deny') : (row[side][who] ?? 'deny');
        const id = side === 'missing' ? MISSING_ID : row.id(fx, side, who);
        const result = await platform.query<Data>(row.document, { id }, { token: tokens.get(who) });
        const outcome = classifyRead(row, who, result.data, (result.errors ?? []).map((error) => String(error.extensions?.code)));
        if (outcome !== expected) mismatches.push(`${who} ${side}: expected ${expected}, got ${outcome} (${result.errors?.[0]?.message ?? 'ok'})`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

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
    const expectation = (side: Side, who: Who): Outcome =>
      entry[side].includes(who) ? 'allow' : side === 'outside' && entry.notFoundOutside?.includes(who) ? 'not found' : 'deny';
    const cells = sides.flatMap((side) => WHO.map((who) => ({ side, who, expected: expectation(side, who) })));
    // Denials first: an allowed call may change the resource (approve a volunteer), never the answer to a denied one.
    cells.sort((a, b) => Number(a.expected === 'allow') - Number(b.expected === 'allow'));
    const mismatches: string[] = [];
    for (const cell of cells) {
      const result = await platform.query(document, { input: entry.input(fx, cell.side, cell.who) }, { token: tokens.get(cell.who) });
      const codes = (result.errors ?? []).map((error) => String(error.extensions?.code));
      const outcome = classify(cell.who, codes, cell.expected);
      if (outcome !== cell.expected) {
        mismatches.push(`${cell.who} ${cell.side}: expected ${cell.expected}, got ${outcome} (${result.errors?.[0]?.message ?? 'ok'})`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
