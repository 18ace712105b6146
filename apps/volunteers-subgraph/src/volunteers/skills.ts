import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '@kz/auth';
import { BadUserInput, Conflict } from '@kz/errors';
import { parseInput } from '@kz/subgraph';
import type { VolunteersLoaders } from '../loaders';
import type { SkillRow } from './volunteer.loaders';
import { addSkillInput } from './volunteer.input';

/** The managed taxonomies volunteers and activities draw from: skills (e.g. 医疗健康) and activity categories. */
export class SkillService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: VolunteersLoaders,
  ) {}

  async list(): Promise<SkillRow[]> {
    this.actor.requireAuthenticated();
    return this.dataSource.query('SELECT code, name FROM skill ORDER BY sort, code');
  }

  async activityCategories(): Promise<SkillRow[]> {
    this.actor.requireAuthenticated();
    return this.dataSource.query('SELECT code, name FROM activity_category ORDER BY sort, code');
  }

  /** The skills of these codes, in the given order (codes no longer in the taxonomy are left out). */
  async byCodes(codes: readonly string[]): Promise<SkillRow[]> {
    const found = await this.loaders.skillByCode.loadMany(codes);
    return found.filter((skill): skill is SkillRow => !!skill && !(skill instanceof Error));
  }

  /** Adds a skill to the taxonomy (center admin); a code in use is a CONFLICT. */
  async add(raw: unknown): Promise<SkillRow> {
    this.actor.requireRole('CENTER_ADMIN');
    const input = parseInput(addSkillInput, raw);
    const rows: SkillRow[] = await this.dataSource.query(
      `INSERT INTO skill (code, name, sort) SELECT $1, $2, coalesce(max(sort), 0) + 10 FROM skill
       ON CONFLICT (code) DO NOTHING RETURNING code, name`,
      [input.code, input.name],
    );
    if (rows.length === 0) throw new Conflict('input.code', input.code);
    return rows[0]!;
  }
}

/** Every code must be in the taxonomy; the first unknown one is a BAD_USER_INPUT naming its position. */
export async function assertSkillsExist(manager: EntityManager, codes: readonly string[], field: string): Promise<void> {
  if (codes.length === 0) return;
  const rows: { code: string }[] = await manager.query('SELECT code FROM skill WHERE code = ANY($1::text[])', [codes]);
  const known = new Set(rows.map((row) => row.code));
  const index = codes.findIndex((code) => !known.has(code));
  if (index >= 0) {
    throw new BadUserInput(`${field}.${index}`, { key: 'input.unknownReference', entity: 'skill', entityZh: '技能', id: codes[index]! });
  }
}

/** Every code must be an activity category; the first unknown one is a BAD_USER_INPUT naming its position. */
export async function assertCategoriesExist(manager: EntityManager, codes: readonly string[], field: string): Promise<void> {
  if (codes.length === 0) return;
  const rows: { code: string }[] = await manager.query('SELECT code FROM activity_category WHERE code = ANY($1::text[])', [codes]);
  const known = new Set(rows.map((row) => row.code));
  const index = codes.findIndex((code) => !known.has(code));
  if (index >= 0) {
    throw new BadUserInput(`${field}.${index}`, { key: 'input.unknownReference', entity: 'category', entityZh: '活动类别', id: codes[index]! });
  }
}
