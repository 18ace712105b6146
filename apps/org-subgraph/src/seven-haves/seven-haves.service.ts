import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Actor } from '@kz/auth';
import { BadUserInput, NotFound } from '@kz/errors';
import { recordEvent } from '@kz/events';
import { fields, parseInput } from '@kz/subgraph';
import type { OrgLoaders } from '../loaders';
import { actorOf } from '../org-shared';
import { PracticeUnit } from '../units/unit.entity';
import { UNIT_ADMINS, UnitService } from '../units/unit.service';
import { SEVEN_HAVES_ITEMS, SEVEN_HAVES_LABEL, SevenHavesCheck, SevenHavesItem } from './seven-haves';

const setSevenHavesInput = z.object({
  unitId: fields.id(),
  items: z
    .array(z.object({ item: z.enum(SEVEN_HAVES_ITEMS), met: z.boolean(), evidence: fields.multiLineText(500).nullish() }))
    .min(1)
    .max(SEVEN_HAVES_ITEMS.length),
});

/** The full checklist of a site: all seven items in standard order, unassessed ones as not met. */
export function checklist(unitId: string, rows: SevenHavesCheck[]) {
  return SEVEN_HAVES_ITEMS.map((item) => {
    const row = rows.find((candidate) => candidate.item === item);
    return {
      item,
      label: SEVEN_HAVES_LABEL[item],
      met: row?.met ?? false,
      evidence: row?.evidence ?? null,
      updatedBy: row?.updatedBy ?? null,
      updatedAt: row?.updatedAt ?? null,
      unitId,
    };
  });
}

export class SevenHavesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly loaders: OrgLoaders,
    private readonly units: UnitService,
    private readonly eventsWritten: () => void,
  ) {}

  async set(raw: unknown): Promise<PracticeUnit> {
    const claims = this.actor.requireRole(...UNIT_ADMINS);
    const input = parseInput(setSevenHavesInput, raw);
    const seen = new Set<SevenHavesItem>();
    input.items.forEach((line, index) => {
      if (seen.has(line.item)) throw new BadUserInput(`input.items.${index}.item`, { key: 'input.invalid', detail: 'duplicate' });
      seen.add(line.item);
    });
    const unit = await this.dataSource.transaction(async (manager) => {
      const unit = await this.units.mustFind(manager, input.unitId);
      this.actor.requireScope(unit.path, ...UNIT_ADMINS);
      for (const line of input.items) {
        await manager.query(
          `INSERT INTO seven_haves_check (unit_id, item, met, evidence, updated_by, updated_at)
           VALUES ($1, $2, $3, $4, $5, now())
           ON CONFLICT (unit_id, item) DO UPDATE
             SET met = EXCLUDED.met, evidence = EXCLUDED.evidence, updated_by = EXCLUDED.updated_by, updated_at = now()`,
          [unit.id, line.item, line.met, line.evidence ?? null, claims.sub],
        );
      }
      const rows = await manager.findBy(SevenHavesCheck, { unitId: unit.id });
      const items = checklist(unit.id, rows);
      await recordEvent(manager, {
        type: 'org.sevenHaves.updated',
        actor: actorOf(claims),
        unitPath: unit.path,
        payload: { unitId: unit.id, items: items.map(({ item, met }) => ({ item, met })), score: items.filter((i) => i.met).length },
      });
      await manager.update(PracticeUnit, { id: unit.id }, { updatedAt: new Date() });
      return unit;
    });
    this.loaders.sevenHaves.clear(unit.id);
    this.eventsWritten();
    return unit;
  }

  /** Per item, how many sites of the subtree meet it; plus full compliance and the mean score. */
  async report(unitId: string) {
    this.actor.requireAuthenticated();
    const unit = await this.units.get(unitId);
    if (!unit) throw new NotFound('PracticeUnit', unitId, '单位');
    const [totals] = await this.dataSource.query(
      `SELECT count(*)::int AS sites,
              count(*) FILTER (WHERE score = 7)::int AS "fullyCompliant",
              coalesce(avg(score), 0)::float AS "averageScore"
         FROM (SELECT u.id, count(c.unit_id) FILTER (WHERE c.met) AS score
                 FROM practice_unit u LEFT JOIN seven_haves_check c ON c.unit_id = u.id
                WHERE u.path = $1 OR u.path LIKE $1 || '/%'
                GROUP BY u.id) s`,
      [unit.path],
    );
    const perItem: { item: SevenHavesItem; met: number }[] = await this.dataSource.query(
      `SELECT c.item, count(*)::int AS met
         FROM seven_haves_check c JOIN practice_unit u ON u.id = c.unit_id
        WHERE (u.path = $1 OR u.path LIKE $1 || '/%') AND c.met
        GROUP BY c.item`,
      [unit.path],
    );
    const sites = totals.sites as number;
    return {
      unit,
      sites,
      fullyCompliant: totals.fullyCompliant as number,
      averageScore: Math.round((totals.averageScore as number) * 100) / 100,
      items: SEVEN_HAVES_ITEMS.map((item) => {
        const met = perItem.find((row) => row.item === item)?.met ?? 0;
        return { item, label: SEVEN_HAVES_LABEL[item], met, ratio: sites ? Math.round((met / sites) * 1000) / 1000 : 0 };
      }),
    };
  }
}
