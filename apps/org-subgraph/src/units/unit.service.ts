import type { DataSource, EntityManager } from 'typeorm';
import { Actor, Role } from '@kz/auth';
import { isUniqueViolation } from '@kz/db';
import { BadUserInput, Conflict, DomainError, NotFound } from '@kz/errors';
import { recordEvent } from '@kz/events';
import { isBigintId, PageArgs, parseInput, readPage, toConnection } from '@kz/subgraph';
import type { OrgLoaders } from '../loaders';
import { actorOf, lockTree } from '../org-shared';
import { PracticeUnit } from './unit.entity';
import {
  CreateUnitInput,
  createUnitInput,
  designateDemonstrationInput,
  moveUnitInput,
  UpdateUnitInput,
  updateUnitInput,
} from './unit.input';
import { DEMONSTRATION_LEVELS, LEVEL_ZH, PARENT_LEVEL, UnitLevel } from './unit-levels';
import { hydrate } from '@kz/db';

/** Roles that administer units, each inside its own subtree (CENTER_ADMIN everywhere). */
export const UNIT_ADMINS: Role[] = ['CENTER_ADMIN', 'INSTITUTE_ADMIN', 'STATION_ADMIN'];

export interface UnitFilter {
  level?: UnitLevel | null;
  parentId?: string | null;
  withinUnitId?: string | null;
  isDemonstration?: boolean | null;
  search?: string | null;
}

/** Escapes `%`, `_` and `\` so user text is matched literally by ILIKE. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The rules of the hierarchy: who may create, change and move which units, and what every change records. */
export class UnitService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: OrgLoaders,
    private readonly eventsWritten: () => void,
  ) {}

  async get(id: string): Promise<PracticeUnit | null> {
    this.actor.requireAuthenticated();
    return isBigintId(id) ? this.loaders.unitById.load(id) : null;
  }

  async list(filter: UnitFilter | null | undefined, args: PageArgs) {
    this.actor.requireAuthenticated();
    const page = readPage(args, 'unit');
    const query = this.dataSource.getRepository(PracticeUnit).createQueryBuilder('u');
    if (filter?.level) query.andWhere('u.level = :level', { level: filter.level });
    if (filter?.parentId !== undefined && filter?.parentId !== null) {
      query.andWhere('u.parent_id = :parentId', { parentId: isBigintId(filter.parentId) ? filter.parentId : '0' });
    }
    if (filter?.withinUnitId) {
      const within = await this.get(filter.withinUnitId);
      query.andWhere("(u.path = :within OR u.path LIKE :withinPrefix)", {
        within: within?.path ?? '-',
        withinPrefix: `${within?.path ?? '-'}/%`,
      });
    }
    if (typeof filter?.isDemonstration === 'boolean') {
      query.andWhere('u.is_demonstration = :demo', { demo: filter.isDemonstration });
    }
    if (filter?.search?.trim()) {
      query.andWhere('(u.name ILIKE :search OR u.code ILIKE :search)', { search: likePattern(filter.search.trim()) });
    }
    const counted = query.clone();
    if (page.afterKey) query.andWhere('u.id > :after', { after: page.afterKey });
    const rows = await query.orderBy('u.id').limit(page.limit + 1).getMany();
    return toConnection(rows, page, 'unit', (unit) => unit.id, () => counted.getCount());
  }

  /** The root (default the center) and its descendants down to `depth` levels, parents before children. */
  async tree(rootId: string | null | undefined, depth: number) {
    this.actor.requireAuthenticated();
    if (!Number.isInteger(depth) || depth < 0 || depth > 3) {
      throw new BadUserInput('depth', { key: 'input.outOfRange', min: 0, max: 3 });
    }
    const root = rootId
      ? await this.get(rootId)
      : await this.dataSource.getRepository(PracticeUnit).findOneBy({ level: 'CENTER' });
    if (!root) throw new NotFound('PracticeUnit', rootId ?? 'center', '单位');
    const rows = await this.dataSource.query(
      `SELECT * FROM practice_unit WHERE (path = $1 OR path LIKE $1 || '/%') AND depth <= $2
        ORDER BY string_to_array(path, '/')::bigint[]`,
      [root.path, root.depth + depth],
    );
    const units = hydrate(this.dataSource.manager, PracticeUnit, rows);
    for (const unit of units) this.loaders.unitById.prime(unit.id, unit);
    return {
      root,
      nodes: units.map((unit) => ({ unit, depth: unit.depth - root.depth, parentId: unit.parentId })),
    };
  }

  async create(raw: unknown): Promise<PracticeUnit> {
    const claims = this.actor.requireRole(...UNIT_ADMINS);
    const input = parseInput(createUnitInput, raw);
    const unit = await this.dataSource.transaction(async (manager) => {
      await lockTree(manager, 'shared');
      const parent = input.parentId ? await this.mustFindReference(manager, input.parentId, 'input.parentId') : null;
      if (parent) this.actor.requireScope(parent.path, ...UNIT_ADMINS);
      else this.actor.requireRole('CENTER_ADMIN');
      assertLevelFits(input.level, parent, 'input.level');
      if (!parent && !input.code) throw new BadUserInput('input.code', { key: 'input.required' });
      const [{ id }] = await manager.query(`SELECT nextval(pg_get_serial_sequence('practice_unit', 'id'))::text AS id`);
      const created = manager.create(PracticeUnit, {
        id,
        code: input.code ?? `${parent!.code}-U${id}`,
        name: input.name,
        level: input.level,
        parentId: parent?.id ?? null,
        path: parent ? `${parent.path}/${id}` : String(id),
        depth: parent ? parent.depth + 1 : 0,
        isDemonstration: false,
        ...detailsOf(input),
      });
      await this.insertOrConflict(manager, created);
      await recordEvent(manager, {
        type: 'org.unit.created',
        actor: actorOf(claims),
        unitPath: created.path,
        payload: { unitId: created.id, code: created.code, level: created.level, parentId: created.parentId, name: created.name, path: created.path },
      });
      return manager.findOneByOrFail(PracticeUnit, { id });
    });
    this.eventsWritten();
    return unit;
  }

  async update(raw: unknown): Promise<PracticeUnit> {
    const claims = this.actor.requireRole(...UNIT_ADMINS);
    const input = parseInput(updateUnitInput, raw);
    const unit = await this.dataSource.transaction(async (manager) => {
      await lockTree(manager, 'shared');
      const current = await this.mustFind(manager, input.id);
      this.actor.requireScope(current.path, ...UNIT_ADMINS);
      const changes: Partial<PracticeUnit> = { ...detailsOf(input), updatedAt: new Date() };
      if (input.name !== undefined) changes.name = input.name;
      if (input.code !== undefined) changes.code = input.code;
      if (input.legal !== undefined) {
        changes.legalName = input.legal?.legalName ?? null;
        changes.uscc = input.legal?.uscc ?? null;
        changes.headName = input.legal?.headName ?? null;
      }
      try {
        await manager.update(PracticeUnit, { id: current.id }, changes);
      } catch (error) {
        if (isUniqueViolation(error, 'practice_unit_code_key')) throw new Conflict('input.code', input.code ?? '');
        throw error;
      }
      const updated = await manager.findOneByOrFail(PracticeUnit, { id: current.id });
      await recordEvent(manager, {
        type: 'org.unit.updated',
        actor: actorOf(claims),
        unitPath: updated.path,
        payload: {
          unitId: updated.id,
          code: updated.code,
          level: updated.level,
          parentId: updated.parentId,
          name: updated.name,
          path: updated.path,
          legal: updated.uscc ? { legalName: updated.legalName!, uscc: updated.uscc, headName: updated.headName! } : null,
        },
      });
      return updated;
    });
    this.refresh(unit);
    return unit;
  }

  /**
   * Moves a unit with its subtree. Under the exclusive tree lock (creates and updates take it shared), every path
   * below the old one and the teams based there are rewritten in one transaction.
   */
  async move(raw: unknown): Promise<PracticeUnit> {
    const claims = this.actor.requireRole(...UNIT_ADMINS);
    const input = parseInput(moveUnitInput, raw);
    const moved = await this.dataSource.transaction(async (manager) => {
      await lockTree(manager, 'exclusive');
      const unit = await this.mustFind(manager, input.id);
      const newParent = await this.mustFindReference(manager, input.newParentId, 'input.newParentId');
      this.actor.requireScope(unit.path, ...UNIT_ADMINS);
      this.actor.requireScope(newParent.path, ...UNIT_ADMINS);
      if (newParent.path === unit.path || newParent.path.startsWith(`${unit.path}/`)) {
        throw new BadUserInput('input.newParentId', { key: 'org.cycle' });
      }
      assertLevelFits(unit.level, newParent, 'input.newParentId');
      if (unit.parentId === newParent.id) return unit;
      const oldPath = unit.path;
      const newPath = `${newParent.path}/${unit.id}`;
      await manager.query(
        `UPDATE practice_unit
            SET path = $2 || substr(path, length($1) + 1), depth = depth + $3, updated_at = now()
          WHERE path = $1 OR path LIKE $1 || '/%'`,
        [oldPath, newPath, newParent.depth + 1 - unit.depth],
      );
      await manager.query('UPDATE practice_unit SET parent_id = $2 WHERE id = $1', [unit.id, newParent.id]);
      await manager.query(
        `UPDATE team SET home_unit_path = $2 || substr(home_unit_path, length($1) + 1), updated_at = now()
          WHERE home_unit_path = $1 OR home_unit_path LIKE $1 || '/%'`,
        [oldPath, newPath],
      );
      await recordEvent(manager, {
        type: 'org.unit.moved',
        actor: actorOf(claims),
        unitPath: newPath,
        payload: { unitId: unit.id, oldPath, newPath, oldParentId: unit.parentId!, newParentId: newParent.id },
      });
      return manager.findOneByOrFail(PracticeUnit, { id: unit.id });
    });
    this.loaders.unitById.clearAll();
    this.eventsWritten();
    return moved;
  }

  async designateDemonstration(raw: unknown): Promise<PracticeUnit> {
    const claims = this.actor.requireRole('CENTER_ADMIN');
    const input = parseInput(designateDemonstrationInput, raw);
    const unit = await this.dataSource.transaction(async (manager) => {
      const current = await this.mustFind(manager, input.unitId);
      if (input.isDemonstration && !DEMONSTRATION_LEVELS.includes(current.level)) {
        throw new BadUserInput('input.unitId', { key: 'org.demonstrationLevel', level: current.level, levelZh: LEVEL_ZH[current.level] });
      }
      await manager.update(PracticeUnit, { id: current.id }, { isDemonstration: input.isDemonstration, updatedAt: new Date() });
      await recordEvent(manager, {
        type: 'org.unit.demonstration.designated',
        actor: actorOf(claims),
        unitPath: current.path,
        payload: { unitId: current.id, isDemonstration: input.isDemonstration },
      });
      return manager.findOneByOrFail(PracticeUnit, { id: current.id });
    });
    this.refresh(unit);
    return unit;
  }

  /** A unit named by a mutation's own id argument: missing → NOT_FOUND. */
  async mustFind(manager: EntityManager, id: string): Promise<PracticeUnit> {
    const unit = await manager.findOneBy(PracticeUnit, { id });
    if (!unit) throw new NotFound('PracticeUnit', id, '单位');
    return unit;
  }

  /** A unit referred to by another field (a parent, a home): missing → BAD_USER_INPUT naming that field. */
  async mustFindReference(manager: EntityManager, id: string, field: string): Promise<PracticeUnit> {
    const unit = await manager.findOneBy(PracticeUnit, { id });
    if (!unit) throw new BadUserInput(field, { key: 'input.unknownReference', entity: 'unit', entityZh: '单位', id });
    return unit;
  }

  private async insertOrConflict(manager: EntityManager, unit: PracticeUnit): Promise<void> {
    try {
      await manager.insert(PracticeUnit, unit);
    } catch (error) {
      if (isUniqueViolation(error, 'practice_unit_code_key')) throw new Conflict('input.code', unit.code);
      if (isUniqueViolation(error, 'practice_unit_one_center')) throw new DomainError('CONFLICT', 'org.singleCenter');
      throw error;
    }
  }

  private refresh(unit: PracticeUnit): void {
    this.loaders.unitById.clear(unit.id).prime(unit.id, unit);
    this.eventsWritten();
  }
}

function assertLevelFits(level: UnitLevel, parent: PracticeUnit | null, field: string): void {
  const expected = PARENT_LEVEL[level];
  if (expected === null) {
    if (parent) throw new BadUserInput(field, { key: 'org.levelRoot' });
    return;
  }
  if (!parent) throw new BadUserInput('input.parentId', { key: 'input.required' });
  if (parent.level !== expected) {
    throw new BadUserInput(field, {
      key: 'org.levelParent',
      level,
      parentLevel: expected,
      actual: parent.level,
      levelZh: LEVEL_ZH[level],
      parentLevelZh: LEVEL_ZH[expected],
      actualZh: LEVEL_ZH[parent.level],
    });
  }
}

/** The optional descriptive fields shared by create and update; `null` clears, absent leaves as is. */
function detailsOf(input: Pick<CreateUnitInput | UpdateUnitInput, 'address' | 'location' | 'contact'>): Partial<PracticeUnit> {
  const details: Partial<PracticeUnit> = {};
  if (input.address !== undefined) details.address = input.address ?? null;
  if (input.location !== undefined) {
    details.lat = input.location?.lat ?? null;
    details.lng = input.location?.lng ?? null;
  }
  if (input.contact !== undefined) {
    details.contactName = input.contact?.name ?? null;
    details.contactPhone = input.contact?.phone ?? null;
  }
  return details;
}
