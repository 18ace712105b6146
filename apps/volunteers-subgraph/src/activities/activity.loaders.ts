import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import { hydrate } from '@kz/db';
import { byIdLoader, isBigintId, Page } from '@kz/subgraph';
import { ActivitySignUp } from './activity-signup.entity';
import { Activity } from './activity.entity';
import { parseTimeKey, sortKeys, timeKeySql } from './time-cursor';

/** An entry of a managed taxonomy (`skill`, `activity_category`). */
export interface CodeName {
  code: string;
  name: string;
}

export interface SignUpPageKey {
  activityId: string;
  page: Page;
}

/** The batched lookups of activities and sign-ups, created fresh for each request with the other loaders. */
export function createActivityLoaders(manager: EntityManager) {
  return {
    activityById: byIdLoader(manager, Activity),
    /** One page of sign-ups per activity, in sign-up order: pages of the same size and cursor share one statement. */
    activitySignUpPage: signUpPageLoader(manager),
    activitySignUpCount: countLoader(manager, 'SELECT activity_id::text AS key, count(*)::int AS n FROM activity_signup WHERE activity_id = ANY($1::bigint[]) GROUP BY activity_id'),
    activityWaitlistCount: countLoader(
      manager,
      `SELECT activity_id::text AS key, count(*)::int AS n FROM activity_signup
        WHERE activity_id = ANY($1::bigint[]) AND status = 'WAITLISTED' GROUP BY activity_id`,
    ),
    /** Place in the waitlist (1 = next) of each of many waitlisted sign-ups. */
    activityWaitlistPosition: countLoader(
      manager,
      `SELECT s.id::text AS key,
              (SELECT count(*) FROM activity_signup w
                WHERE w.activity_id = s.activity_id AND w.status = 'WAITLISTED'
                  AND (w.signed_up_at, w.id) <= (s.signed_up_at, s.id))::int AS n
         FROM activity_signup s WHERE s.id = ANY($1::bigint[]) AND s.status = 'WAITLISTED'`,
    ),
    /** A volunteer's sign-ups for many activities (the caller's `mySignUp` on a list of activities). */
    activitySignUpOf: new DataLoader<{ volunteerId: string; activityId: string }, ActivitySignUp | null, string>(
      async (keys) => {
        const rows = await manager.query(
          `SELECT s.* FROM unnest($1::bigint[], $2::bigint[]) AS k(volunteer_id, activity_id)
             JOIN activity_signup s USING (volunteer_id, activity_id)`,
          [keys.map((key) => key.volunteerId), keys.map((key) => key.activityId)],
        );
        const found = new Map(hydrate(manager, ActivitySignUp, rows).map((row) => [`${row.volunteerId}|${row.activityId}`, row]));
        return keys.map((key) => found.get(`${key.volunteerId}|${key.activityId}`) ?? null);
      },
      { cacheKeyFn: (key) => `${key.volunteerId}|${key.activityId}` },
    ),
    activitySkill: codeLoader(manager, 'skill'),
    activityCategory: codeLoader(manager, 'activity_category'),
  };
}

export type ActivityLoaders = ReturnType<typeof createActivityLoaders>;

/** The skills of the taxonomy with these codes, in this order; a code no longer in the taxonomy shows as itself. */
export async function skillsOf(loaders: Pick<ActivityLoaders, 'activitySkill'>, codes: string[]): Promise<CodeName[]> {
  const skills = await loaders.activitySkill.loadMany(codes);
  return codes.map((code, index) => {
    const skill = skills[index];
    return skill && !(skill instanceof Error) ? skill : { code, name: code };
  });
}

function codeLoader(manager: EntityManager, table: 'skill' | 'activity_category'): DataLoader<string, CodeName | null> {
  return new DataLoader(async (codes) => {
    const rows: CodeName[] = await manager.query(`SELECT code, name FROM ${table} WHERE code = ANY($1::text[])`, [codes]);
    const byCode = new Map(rows.map((row) => [row.code, row]));
    return codes.map((code) => byCode.get(code) ?? null);
  });
}

/** A number per id from one statement returning `(key, n)`; ids without a row count 0. */
function countLoader(manager: EntityManager, sql: string): DataLoader<string, number> {
  return new DataLoader(async (ids) => {
    const rows: { key: string; n: number }[] = await manager.query(sql, [ids.filter(isBigintId)]);
    const counts = new Map(rows.map((row) => [row.key, row.n]));
    return ids.map((id) => counts.get(id) ?? 0);
  });
}

function signUpPageLoader(manager: EntityManager): DataLoader<SignUpPageKey, ActivitySignUp[], string> {
  const pageOf = (key: SignUpPageKey) => `${key.page.limit}|${key.page.afterKey ?? ''}`;
  return new DataLoader(
    async (keys) => {
      const groups = new Map<string, SignUpPageKey[]>();
      for (const key of keys) groups.set(pageOf(key), [...(groups.get(pageOf(key)) ?? []), key]);
      const byActivity = new Map<string, ActivitySignUp[]>();
      for (const [group, members] of groups) {
        const { limit, afterKey } = members[0]!.page;
        const [afterTime, afterId] = parseTimeKey(afterKey);
        const rows: Record<string, unknown>[] = await manager.query(
          `SELECT s.*, ${timeKeySql('s.signed_up_at', 's.id')} AS sort_key FROM unnest($1::bigint[]) AS a(id)
           CROSS JOIN LATERAL (
             SELECT * FROM activity_signup t
              WHERE t.activity_id = a.id
                AND ($2::timestamp IS NULL OR (t.signed_up_at, t.id) > ($2::timestamp AT TIME ZONE 'UTC', $3::bigint))
              ORDER BY t.signed_up_at, t.id LIMIT $4
           ) s`,
          [members.map((key) => key.activityId), afterTime, afterId, limit + 1],
        );
        hydrate(manager, ActivitySignUp, rows).forEach((signUp, index) => {
          sortKeys.set(signUp, String(rows[index]!.sort_key));
          const activityKey = `${group}|${signUp.activityId}`;
          byActivity.set(activityKey, [...(byActivity.get(activityKey) ?? []), signUp]);
        });
      }
      return keys.map((key) => byActivity.get(`${pageOf(key)}|${key.activityId}`) ?? []);
    },
    { cacheKeyFn: (key) => `${key.activityId}|${pageOf(key)}` },
  );
}
