import { GIVEN_NAME_CHARS, REAL_PEOPLE, SURNAMES } from './kaizhou-names';
import { createRng } from './prng';
import { orgDataset } from './org-dataset';
import type { SeedProfile } from './types';

/** Skill codes of the taxonomy (the volunteers migration seeds the taxonomy itself). */
const SKILLS = ['THEORY', 'MEDICAL', 'LEGAL', 'ARTS', 'REPAIR', 'ELDERLY_CARE', 'TUTORING', 'ENVIRONMENT', 'PSYCHOLOGY', 'TRAFFIC', 'SAFETY', 'TECH'];
const CATEGORIES = ['THEORY', 'ENVIRONMENT', 'CIVILITY', 'CUSTOMS', 'ELDERLY_CARE', 'CHILD_CARE', 'HEALTH', 'LEGAL', 'CULTURE', 'REPAIR', 'SAFETY'];
const CATEGORY_TITLES: Record<string, string[]> = {
  THEORY: ['党的创新理论“微宣讲”', '理论政策进院坝'],
  ENVIRONMENT: ['环境整治志愿服务', '河道清漂行动', '小区卫生大扫除'],
  CIVILITY: ['文明劝导志愿服务', '文明交通劝导'],
  CUSTOMS: ['移风易俗宣传', '红白喜事简办宣传'],
  ELDERLY_CARE: ['关爱空巢老人走访', '助老理发义剪'],
  CHILD_CARE: ['“春泥护花”关爱留守儿童', '四点半课堂'],
  HEALTH: ['义诊进社区', '健康知识讲座'],
  LEGAL: ['“法润万家”法律咨询', '反诈宣传进万家'],
  CULTURE: ['文艺演出进村', '快板说党史'],
  REPAIR: ['家电义务维修', '健身器材检修'],
  SAFETY: ['平安巡防', '消防安全检查'],
};

export interface SeedVolunteer {
  /** Natural key: a fictitious mobile number in the 147 range, used by no other seed record. */
  mobile: string;
  realName: string;
  /** First 17 characters of a fictitious, unique ID number (region 500234). */
  idNumberStem: string;
  stationCode: string;
  status: 'ACTIVE' | 'PENDING' | 'SUSPENDED';
  skills: string[];
  availability: { dayOfWeek: number; start: string; end: string }[];
  /** Leads the squad of their station. */
  isLeader: boolean;
}

export interface SeedActivity {
  /** Natural key, e.g. `A-KZ-HANFENG-YINGBIN-0003`. */
  key: string;
  stationCode: string;
  title: string;
  category: string;
  startsAt: string;
  minutes: number;
  capacity: number;
  /** Mobile numbers of the volunteers who took part (checked in and out). */
  participants: string[];
  /** Service records verified by the station (the recent ones may still be pending). */
  verified: boolean;
}

export interface VolunteeringDataset {
  volunteers: SeedVolunteer[];
  activities: SeedActivity[];
}

const REFERENCE_DAY = Date.UTC(2026, 10, 1); // activities fall in the year before 2026-11-01
const DAY = 24 * 3600 * 1000;

function nameFor(index: number): string {
  const rng = createRng(`volunteer-name-${index}`);
  for (;;) {
    const given = rng.next() < 0.6 ? rng.pick(GIVEN_NAME_CHARS) + rng.pick(GIVEN_NAME_CHARS) : rng.pick(GIVEN_NAME_CHARS);
    const name = rng.pick(SURNAMES) + given;
    if (!REAL_PEOPLE.includes(name)) return name;
  }
}

/** Unique by construction: birth date from the index (20,000 days), sequence from the quotient. */
function idStemFor(index: number): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + (index % 20000) * DAY);
  const ymd = `${birth.getUTCFullYear()}${String(birth.getUTCMonth() + 1).padStart(2, '0')}${String(birth.getUTCDate()).padStart(2, '0')}`;
  return `500234${ymd}${String(100 + Math.floor(index / 20000)).padStart(3, '0')}`;
}

function volunteerFor(index: number, stationCode: string, firstOfStation: boolean): SeedVolunteer {
  const rng = createRng(`volunteer-${index}`);
  const skills = new Set<string>();
  const count = rng.int(1, 3);
  while (skills.size < count) skills.add(rng.pick(SKILLS));
  const windows = rng.int(1, 3);
  const availability = Array.from({ length: windows }, (_, w) => {
    const start = rng.pick([8, 9, 14, 15, 19]);
    return { dayOfWeek: ((index + w * 2) % 7) + 1, start: `${String(start).padStart(2, '0')}:00`, end: `${String(start + rng.int(2, 3)).padStart(2, '0')}:00` };
  });
  const roll = rng.next();
  return {
    mobile: `147${String(index).padStart(8, '0')}`,
    realName: nameFor(index),
    idNumberStem: idStemFor(index),
    stationCode,
    status: firstOfStation ? 'ACTIVE' : roll < 0.93 ? 'ACTIVE' : roll < 0.98 ? 'PENDING' : 'SUSPENDED',
    skills: [...skills].sort(),
    availability,
    isLeader: firstOfStation,
  };
}

/** Spreads `total` over the stations with deterministic weights (0.5–1.5), summing exactly to `total`. */
export function spread(total: number, stations: readonly string[]): number[] {
  const weights = stations.map((code) => 0.5 + createRng(`weight-${code}`).next());
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.floor((w / sum) * total));
  let missing = total - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; missing > 0; i = (i + 1) % counts.length, missing -= 1) counts[i]! += 1;
  return counts;
}

const HE_YI_SESSIONS = 70;
const DEMO_VOLUNTEERS_PER_STATION = 6;
const DEMO_ACTIVITIES_PER_STATION = 2;

/**
 * The volunteering data of a profile: kaizhou has 73,000 volunteers and 1,200 activities with their service records
 * over its 535 stations; demo keeps, for its stations, the first volunteers and activities of the same records.
 * Both give 迎宾社区 the sessions that make up 何毅's 210 verified hours (he is a demo login; see `people.ts`).
 */
export function volunteeringDataset(profile: SeedProfile, heYiMobile: string): VolunteeringDataset {
  const kaizhou = kaizhouVolunteering(heYiMobile);
  return profile === 'kaizhou' ? kaizhou : demoOf(kaizhou, heYiMobile);
}

/** The demo's share of the kaizhou volunteering data. */
function demoOf(kaizhou: VolunteeringDataset, heYiMobile: string): VolunteeringDataset {
  const demoStations = new Set(orgDataset('demo').units.filter((unit) => unit.level === 'STATION').map((unit) => unit.code));
  const kept = new Map<string, number>();
  const volunteers = kaizhou.volunteers.filter((volunteer) => {
    if (!demoStations.has(volunteer.stationCode)) return false;
    const count = kept.get(volunteer.stationCode) ?? 0;
    kept.set(volunteer.stationCode, count + 1);
    return count < DEMO_VOLUNTEERS_PER_STATION;
  });
  const mobiles = new Set([...volunteers.map((volunteer) => volunteer.mobile), heYiMobile]);
  const activities = kaizhou.activities
    .filter((activity) => demoStations.has(activity.stationCode))
    .filter((activity) => activity.key.startsWith('A-HEYI-') || Number(activity.key.slice(-4)) <= DEMO_ACTIVITIES_PER_STATION)
    .map((activity) => ({ ...activity, participants: activity.participants.filter((mobile) => mobiles.has(mobile)) }));
  return { volunteers, activities };
}

function kaizhouVolunteering(heYiMobile: string): VolunteeringDataset {
  const stationCodes = orgDataset('kaizhou').units.filter((unit) => unit.level === 'STATION').map((unit) => unit.code);
  const totalVolunteers = 73_000;
  const heYiSessions = HE_YI_SESSIONS;
  const totalActivities = 1_200 - heYiSessions;
  const volunteers: SeedVolunteer[] = [];
  const byStation = new Map<string, SeedVolunteer[]>();
  const counts = spread(totalVolunteers, stationCodes);
  stationCodes.forEach((code, s) => {
    const members: SeedVolunteer[] = [];
    for (let i = 0; i < counts[s]!; i += 1) members.push(volunteerFor(volunteers.length + members.length, code, i === 0));
    volunteers.push(...members);
    byStation.set(code, members);
  });

  const activities: SeedActivity[] = [];
  const activityCounts = spread(totalActivities, stationCodes);
  stationCodes.forEach((code, s) => {
    const active = (byStation.get(code) ?? []).filter((v) => v.status === 'ACTIVE');
    for (let a = 0; a < activityCounts[s]!; a += 1) {
      const key = `A-${code}-${String(a + 1).padStart(4, '0')}`;
      const rng = createRng(key);
      const category = rng.pick(CATEGORIES);
      const daysAgo = rng.int(1, 364);
      const startsAt = new Date(REFERENCE_DAY - daysAgo * DAY + rng.pick([8, 9, 14, 15]) * 3600 * 1000 - 8 * 3600 * 1000);
      const capacity = rng.int(10, 40);
      const participants = new Set<string>();
      const wanted = Math.min(active.length, rng.int(Math.floor(capacity / 2), capacity));
      while (participants.size < wanted) participants.add(rng.pick(active).mobile);
      activities.push({
        key,
        stationCode: code,
        title: rng.pick(CATEGORY_TITLES[category]!),
        category,
        startsAt: startsAt.toISOString(),
        minutes: rng.pick([90, 120, 150, 180, 240]),
        capacity,
        participants: [...participants].sort(),
        verified: daysAgo > 14 || rng.next() < 0.5,
      });
    }
  });

  // 何毅: 70 sessions of 3 hours at 迎宾社区 over the year, all verified: 210 hours.
  for (let week = 0; week < heYiSessions; week += 1) {
    const startsAt = new Date(REFERENCE_DAY - (5 + week * 5) * DAY + 1 * 3600 * 1000);
    activities.push({
      key: `A-HEYI-${String(week + 1).padStart(3, '0')}`,
      stationCode: 'KZ-HANFENG-YINGBIN',
      title: week % 2 === 0 ? '腾龙广场环境整治' : '关爱空巢老人走访',
      category: week % 2 === 0 ? 'ENVIRONMENT' : 'ELDERLY_CARE',
      startsAt: startsAt.toISOString(),
      minutes: 180,
      capacity: 20,
      participants: [heYiMobile],
      verified: true,
    });
  }
  return { volunteers, activities };
}

/** One volunteer's verified service at a seeded activity, by natural keys. */
export interface SeedVerifiedService {
  activityKey: string;
  mobile: string;
}

/**
 * The service records seeding credits through the earning rules: the verified participations of the demo set
 * (何毅's 70 sessions and the demo volunteers' activities), in both profiles, since kaizhou holds every demo record
 * and a profile loaded after the other must converge on the same rows. `dataset` is the profile's volunteering data.
 */
export function verifiedServiceToCredit(profile: SeedProfile, dataset: VolunteeringDataset, heYiMobile: string): SeedVerifiedService[] {
  const demo = profile === 'demo' ? dataset : demoOf(dataset, heYiMobile);
  return demo.activities
    .filter((activity) => activity.verified)
    .flatMap((activity) => activity.participants.map((mobile) => ({ activityKey: activity.key, mobile })));
}
