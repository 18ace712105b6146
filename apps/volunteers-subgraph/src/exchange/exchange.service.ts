import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { Actor } from '@kz/auth';
import { isUniqueViolation } from '@kz/db';
import { BadUserInput, Conflict } from '@kz/errors';
import { parseInput } from '@kz/subgraph';
import { RECORD_READERS } from '../records/record-statuses';
import { ExchangeTarget, ExternalEntityKind } from './exchange-targets';
import { exportLogArgs, setExternalIdInput } from './exchange.input';

/** An id another system gave one of our volunteers or records. */
export interface ExternalIdRow {
  kind: ExternalEntityKind;
  entityId: string;
  target: ExchangeTarget;
  externalId: string;
  setBy: string;
  setAt: Date;
}

/** One line of the export register: who exported what, when, and how many people it held. */
export interface ExportLogRow {
  id: string;
  exportedBy: string;
  exportedAt: Date;
  format: string;
  unitId: string;
  from: Date | null;
  to: Date | null;
  people: number;
  peopleWithoutConsent: number;
  records: number;
  activities: number;
}

const PAIR_INDEX = 'external_id_target_entity_kind_external_id_key';

function externalIdOf(row: Record<string, unknown>): ExternalIdRow {
  return {
    kind: row.entity_kind as ExternalEntityKind,
    entityId: String(row.entity_id),
    target: row.target as ExchangeTarget,
    externalId: String(row.external_id),
    setBy: String(row.set_by),
    setAt: row.set_at as Date,
  };
}

export function exportLogOf(row: Record<string, unknown>): ExportLogRow {
  return {
    id: String(row.id),
    exportedBy: String(row.exported_by),
    exportedAt: row.exported_at as Date,
    format: String(row.format),
    unitId: String(row.unit_id),
    from: (row.range_from as Date | null) ?? null,
    to: (row.range_to as Date | null) ?? null,
    people: Number(row.people),
    peopleWithoutConsent: Number(row.people_without_consent),
    records: Number(row.records),
    activities: Number(row.activities),
  };
}

/**
 * External ids (条例 Art. 19; 办法 Art. 4) and the export register. Only the center admin sets an id or reads the
 * register; staff who read records in scope read the ids of what they see.
 */
export class ExchangeService {
  private readonly idsLoader: DataLoader<string, ExternalIdRow[]>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
  ) {
    // Keyed `KIND:id`, one query for every entity a request asks about.
    this.idsLoader = new DataLoader(async (keys) => {
      const rows: Record<string, unknown>[] = await this.dataSource.query(
        `SELECT * FROM external_id WHERE (entity_kind || ':' || entity_id) = ANY($1::text[]) ORDER BY target`,
        [keys],
      );
      const byKey = new Map<string, ExternalIdRow[]>();
      for (const row of rows.map(externalIdOf)) {
        const key = `${row.kind}:${row.entityId}`;
        byKey.set(key, [...(byKey.get(key) ?? []), row]);
      }
      return keys.map((key) => byKey.get(key) ?? []);
    });
  }

  /** Sets (or replaces) the id a target gave a volunteer or record; a record's outbox row learns it too. */
  async setExternalId(raw: unknown): Promise<ExternalIdRow> {
    const claims = this.actor.requireRole('CENTER_ADMIN');
    const input = parseInput(setExternalIdInput, raw);
    const table = input.kind === 'VOLUNTEER' ? 'volunteer' : 'service_record';
    return this.dataSource.transaction(async (manager) => {
      const [entity] = await manager.query(`SELECT id FROM ${table} WHERE id = $1`, [input.entityId]);
      if (!entity) {
        const [entityName, entityZh] = input.kind === 'VOLUNTEER' ? ['volunteer', '志愿者'] : ['serviceRecord', '服务记录'];
        throw new BadUserInput('input.entityId', { key: 'input.unknownReference', entity: entityName, entityZh, id: input.entityId });
      }
      let row: Record<string, unknown>;
      try {
        [row] = await manager.query(
          `INSERT INTO external_id (entity_kind, entity_id, target, external_id, set_by) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (entity_kind, entity_id, target) DO UPDATE SET external_id = EXCLUDED.external_id, set_by = EXCLUDED.set_by, set_at = now()
           RETURNING *`,
          [input.kind, input.entityId, input.target, input.externalId, claims.sub],
        );
      } catch (error) {
        if (isUniqueViolation(error, PAIR_INDEX)) throw new Conflict('input.externalId', input.externalId, 'exchange.externalIdTaken');
        throw error;
      }
      if (input.kind === 'RECORD') {
        await manager.query('UPDATE exchange_outbox SET external_id = $3, updated_at = now() WHERE record_id = $1 AND target = $2', [
          input.entityId,
          input.target,
          input.externalId,
        ]);
      }
      return externalIdOf(row!);
    });
  }

  /**
   * The ids of a volunteer (at their home station's path) or a record (at its unit's path), for staff who read
   * records there; a volunteer without a home station is the center admin's only. FORBIDDEN for anyone else.
   */
  async idsOf(kind: ExternalEntityKind, entityId: string, path: string | null): Promise<ExternalIdRow[]> {
    if (path) this.actor.requireScope(path, ...RECORD_READERS);
    else this.actor.requireRole('CENTER_ADMIN');
    return this.idsLoader.load(`${kind}:${entityId}`);
  }

  /** The export register, newest first (center admin). */
  async exportLog(raw: unknown): Promise<ExportLogRow[]> {
    this.actor.requireRole('CENTER_ADMIN');
    const args = parseInput(exportLogArgs, raw, 'args');
    const rows: Record<string, unknown>[] = await this.dataSource.query('SELECT * FROM export_log ORDER BY exported_at DESC, id DESC LIMIT $1', [
      args.limit ?? 50,
    ]);
    return rows.map(exportLogOf);
  }
}
