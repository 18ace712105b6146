import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { Actor } from '@kz/auth';
import { BadUserInput, Forbidden, NotFound } from '@kz/errors';
import { parseInput } from '@kz/subgraph';
import { RECORD_ADMINS, RECORD_READERS } from '../records/record-statuses';
import { evaluateServiceRecordInput } from './recognition.input';

/** Staff's quality rating of a volunteer on one service record. */
export interface RecordEvaluationRow {
  recordId: string;
  rating: number;
  note: string | null;
  evaluatedBy: string;
  evaluatedAt: Date;
}

/** The resident's rating of an order, as feedback on one volunteer of the evaluated delivery round. */
export interface OrderFeedbackRow {
  orderId: string;
  round: number;
  volunteerId: string;
  rating: number | null;
  resolved: string | null;
  evaluatedAt: Date;
}

/** What the evaluations say of a volunteer, shown beside their star eligibility. */
export interface VolunteerQuality {
  evaluations: number;
  averageRating: number | null;
  feedbacks: number;
  averageFeedbackRating: number | null;
}

const round1 = (value: unknown): number | null => (value === null ? null : Math.round(Number(value) * 10) / 10);

function evaluationOf(row: Record<string, unknown>): RecordEvaluationRow {
  return {
    recordId: String(row.record_id),
    rating: Number(row.rating),
    note: (row.note as string | null) ?? null,
    evaluatedBy: String(row.evaluated_by),
    evaluatedAt: row.evaluated_at as Date,
  };
}

/**
 * Quality evaluations (办法 Art. 10; docs/records.md, "Evaluations"): admins in scope of a record's unit rate the
 * volunteer on it, never on their own record; residents' order ratings arrive as feedback (`order-feedback.consumer.ts`).
 */
export class EvaluationService {
  private readonly evaluationLoader: DataLoader<string, RecordEvaluationRow | null>;
  private readonly qualityLoader: DataLoader<string, VolunteerQuality>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
  ) {
    this.evaluationLoader = new DataLoader(async (ids) => {
      const rows: Record<string, unknown>[] = await dataSource.query('SELECT * FROM service_record_evaluation WHERE record_id = ANY($1::bigint[])', [ids]);
      return ids.map((id) => {
        const row = rows.find((candidate) => String(candidate.record_id) === id);
        return row ? evaluationOf(row) : null;
      });
    });
    this.qualityLoader = new DataLoader(async (ids) => {
      const rows: Record<string, unknown>[] = await dataSource.query(
        `SELECT v.id::text AS volunteer_id,
                (SELECT count(*) FROM service_record_evaluation e JOIN service_record r ON r.id = e.record_id
                  WHERE r.volunteer_id = v.id AND r.status <> 'REJECTED')::int AS evaluations,
                (SELECT avg(e.rating) FROM service_record_evaluation e JOIN service_record r ON r.id = e.record_id
                  WHERE r.volunteer_id = v.id AND r.status <> 'REJECTED') AS average_rating,
                (SELECT count(rating) FROM order_feedback f WHERE f.volunteer_id = v.id)::int AS feedbacks,
                (SELECT avg(rating) FROM order_feedback f WHERE f.volunteer_id = v.id) AS average_feedback_rating
           FROM volunteer v WHERE v.id = ANY($1::bigint[])`,
        [ids],
      );
      return ids.map((id) => {
        const row = rows.find((candidate) => candidate.volunteer_id === id);
        return {
          evaluations: Number(row?.evaluations ?? 0),
          averageRating: round1(row?.average_rating ?? null),
          feedbacks: Number(row?.feedbacks ?? 0),
          averageFeedbackRating: round1(row?.average_feedback_rating ?? null),
        };
      });
    });
  }

  /** Rates the volunteer on a record (again: the latest rating stands). */
  async evaluate(raw: unknown): Promise<RecordEvaluationRow> {
    const input = parseInput(evaluateServiceRecordInput, raw);
    return this.dataSource.transaction(async (manager) => {
      const [record] = await manager.query(
        `SELECT r.id::text, r.unit_path, r.status, v.person_id::text AS person_id
           FROM service_record r JOIN volunteer v ON v.id = r.volunteer_id WHERE r.id = $1 FOR UPDATE OF r`,
        [input.recordId],
      );
      if (!record) {
        this.actor.requireRole('CENTER_ADMIN');
        throw new NotFound('ServiceRecord', input.recordId, '服务记录');
      }
      const claims = this.actor.requireScope(record.unit_path, ...RECORD_ADMINS);
      if (claims.sub === record.person_id) throw new Forbidden();
      if (record.status === 'REJECTED') throw new BadUserInput('input.recordId', { key: 'recognition.recordRejected' });
      const [row] = await manager.query(
        `INSERT INTO service_record_evaluation (record_id, rating, note, evaluated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (record_id) DO UPDATE SET rating = EXCLUDED.rating, note = EXCLUDED.note, evaluated_by = EXCLUDED.evaluated_by, evaluated_at = now()
         RETURNING *`,
        [record.id, input.rating, input.note ?? null, claims.sub],
      );
      return evaluationOf(row);
    });
  }

  evaluationOf(recordId: string): Promise<RecordEvaluationRow | null> {
    return this.evaluationLoader.load(recordId);
  }

  /** The resident's feedback on the volunteer for the order round of an order record; null for other records. */
  async feedbackOf(record: { volunteerId: string; orderId: string | null; orderRound: number | null }): Promise<OrderFeedbackRow | null> {
    if (!record.orderId || !record.orderRound) return null;
    const [row] = await this.dataSource.query('SELECT * FROM order_feedback WHERE order_id = $1 AND order_round = $2 AND volunteer_id = $3', [
      record.orderId,
      record.orderRound,
      record.volunteerId,
    ]);
    if (!row) return null;
    return {
      orderId: String(row.order_id),
      round: Number(row.order_round),
      volunteerId: String(row.volunteer_id),
      rating: row.rating === null ? null : Number(row.rating),
      resolved: row.resolved ?? null,
      evaluatedAt: row.evaluated_at,
    };
  }

  /**
   * The volunteer's own, and staff's who read records where the volunteer's home station is (the center admin for a
   * volunteer without one): ratings are about a person's work, not for the parties of an order. FORBIDDEN otherwise.
   */
  qualityOf(volunteer: { id: string; personId: string; homeStationPath: string | null }): Promise<VolunteerQuality> {
    if (this.actor.claims?.sub !== volunteer.personId) {
      if (volunteer.homeStationPath) this.actor.requireScope(volunteer.homeStationPath, ...RECORD_READERS);
      else this.actor.requireRole('CENTER_ADMIN');
    }
    return this.qualityLoader.load(volunteer.id);
  }
}
