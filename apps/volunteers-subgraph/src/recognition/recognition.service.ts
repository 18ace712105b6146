import DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '@kz/auth';
import { BadUserInput, NotFound } from '@kz/errors';
import { recordEvent } from '@kz/events';
import { parseInput } from '@kz/subgraph';
import { RECORD_ADMINS } from '../records/record-statuses';
import { findUnit } from '../units/unit-ref';
import { grantStarInput, recordAwardInput, recordTrainingInput, setStarThresholdsInput } from './recognition.input';

export interface TrainingRow {
  id: string;
  unitId: string;
  name: string;
  content: string;
  hours: number;
  heldOn: string;
  recordedBy: string;
  createdAt: Date;
}

export type AwardKind = 'UNIT' | 'HIGHER_BODY' | 'STAR';

export interface AwardRow {
  id: string;
  volunteerId: string;
  name: string;
  awardedOn: string;
  kind: AwardKind;
  grantingBody: string;
  grantingUnitId: string | null;
  proof: string | null;
  starLevel: number | null;
  recordedBy: string;
  createdAt: Date;
}

export interface StarThreshold {
  level: number;
  hours: number;
}

export interface StarEligibility {
  /** The highest level the verified hours reach; 0 below the first threshold. */
  level: number;
  verifiedHours: number;
  nextLevel: number | null;
  nextLevelHours: number | null;
}

/** The part of a volunteer recognition needs. */
interface VolunteerLike {
  id: string;
  homeStationPath: string | null;
  verifiedMinutes: number;
}

/** A volunteer as a grant needs them: who to tell and where. */
interface GrantedVolunteer extends VolunteerLike {
  personId: string;
  homeStationId: string | null;
}

export const STAR_NAME = (level: number): string => `${level}星志愿者`;

function trainingOf(row: Record<string, unknown>): TrainingRow {
  return {
    id: String(row.id),
    unitId: String(row.unit_id),
    name: String(row.name),
    content: String(row.content),
    hours: Math.round((Number(row.minutes) / 60) * 100) / 100,
    heldOn: String(row.held_on),
    recordedBy: String(row.recorded_by),
    createdAt: row.created_at as Date,
  };
}

function awardOf(row: Record<string, unknown>): AwardRow {
  return {
    id: String(row.id),
    volunteerId: String(row.volunteer_id),
    name: String(row.name),
    awardedOn: String(row.awarded_on),
    kind: row.kind as AwardKind,
    grantingBody: String(row.granting_body),
    grantingUnitId: row.granting_unit_id === null ? null : String(row.granting_unit_id),
    proof: (row.proof as string | null) ?? null,
    starLevel: row.star_level === null ? null : Number(row.star_level),
    recordedBy: String(row.recorded_by),
    createdAt: row.created_at as Date,
  };
}

const AWARD_COLUMNS = `id, volunteer_id, name, awarded_on::text AS awarded_on, kind, granting_body, granting_unit_id, proof, star_level,
  recorded_by, created_at`;

/** Eligibility from verified minutes against a ladder (levels ascending). */
export function eligibilityOf(verifiedMinutes: number, ladder: StarThreshold[]): StarEligibility {
  const reached = ladder.filter((step) => verifiedMinutes >= step.hours * 60);
  const next = ladder.find((step) => verifiedMinutes < step.hours * 60) ?? null;
  return {
    level: reached.length > 0 ? reached[reached.length - 1]!.level : 0,
    verifiedHours: Math.floor((verifiedMinutes / 60) * 10) / 10,
    nextLevel: next?.level ?? null,
    nextLevelHours: next?.hours ?? null,
  };
}

/** The star ladder (`star_threshold`), level by level, in the caller's transaction. */
export async function starLadder(manager: EntityManager): Promise<StarThreshold[]> {
  const rows: { level: number; hours: number }[] = await manager.query('SELECT level, hours FROM star_threshold ORDER BY level');
  return rows.map((row) => ({ level: Number(row.level), hours: Number(row.hours) }));
}

function beijingToday(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
}

/**
 * Trainings, awards and stars (办法 Arts. 8–10; docs/records.md, "Training and awards", "Stars"). Admins of the
 * volunteer's home station or above record awards and grant stars; the platform only computes eligibility.
 */
export class RecognitionService {
  private readonly trainingsLoader: DataLoader<string, TrainingRow[]>;
  private readonly awardsLoader: DataLoader<string, AwardRow[]>;
  private ladder: Promise<StarThreshold[]> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly eventsWritten: () => void = () => undefined,
  ) {
    this.trainingsLoader = new DataLoader(async (ids) => {
      const rows: Record<string, unknown>[] = await dataSource.query(
        `SELECT a.volunteer_id, t.id, t.unit_id, t.name, t.content, t.minutes, t.held_on::text AS held_on, t.recorded_by, t.created_at
           FROM training_attendance a JOIN training t ON t.id = a.training_id
          WHERE a.volunteer_id = ANY($1::bigint[]) ORDER BY t.held_on DESC, t.id DESC`,
        [ids],
      );
      return ids.map((id) => rows.filter((row) => String(row.volunteer_id) === id).map(trainingOf));
    });
    this.awardsLoader = new DataLoader(async (ids) => {
      const rows: Record<string, unknown>[] = await dataSource.query(
        `SELECT ${AWARD_COLUMNS} FROM award WHERE volunteer_id = ANY($1::bigint[]) ORDER BY awarded_on DESC, id DESC`,
        [ids],
      );
      return ids.map((id) => rows.filter((row) => String(row.volunteer_id) === id).map(awardOf));
    });
  }

  /** Admins of the training's organizer unit (or above) record it, with who attended. */
  async recordTraining(raw: unknown): Promise<TrainingRow> {
    const input = parseInput(recordTrainingInput, raw);
    return this.dataSource.transaction(async (manager) => {
      const unit = await findUnit(manager, input.unitId);
      if (!unit) {
        this.actor.requireRole(...RECORD_ADMINS);
        throw new BadUserInput('input.unitId', { key: 'input.unknownReference', entity: 'unit', entityZh: '单位', id: input.unitId });
      }
      const claims = this.actor.requireScope(unit.path, ...RECORD_ADMINS);
      const volunteerIds = [...new Set(input.volunteerIds)];
      const found: { id: string }[] = await manager.query('SELECT id::text FROM volunteer WHERE id = ANY($1::bigint[])', [volunteerIds]);
      const unknown = volunteerIds.findIndex((id) => !found.some((row) => row.id === id));
      if (unknown >= 0) {
        throw new BadUserInput(`input.volunteerIds.${input.volunteerIds.indexOf(volunteerIds[unknown]!)}`, {
          key: 'input.unknownReference',
          entity: 'volunteer',
          entityZh: '志愿者',
          id: volunteerIds[unknown]!,
        });
      }
      const [row] = await manager.query(
        `INSERT INTO training (unit_id, unit_path, name, content, minutes, held_on, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id, unit_id, name, content, minutes, held_on::text AS held_on, recorded_by, created_at`,
        [unit.id, unit.path, input.name, input.content, Math.max(1, Math.round(input.hours * 60)), input.heldOn, claims.sub],
      );
      await manager.query('INSERT INTO training_attendance (training_id, volunteer_id) SELECT $1, unnest($2::bigint[])', [row.id, volunteerIds]);
      return trainingOf(row);
    });
  }

  /**
   * Records an award: the caller's unit's own (its granting unit), or a higher body's, which needs its proof; the
   * staff member who records it is the one who checked the proof (docs/records.md).
   */
  async recordAward(raw: unknown): Promise<AwardRow> {
    const input = parseInput(recordAwardInput, raw);
    return this.dataSource.transaction(async (manager) => {
      const volunteer = await this.volunteerInScope(manager, input.volunteerId);
      const claims = this.actor.claims!;
      let grantingBody: string;
      let grantingUnitId: string | null = null;
      if (input.kind === 'HIGHER_BODY') {
        if (!input.grantingBody) throw new BadUserInput('input.grantingBody', { key: 'input.required' });
        if (!input.proof) throw new BadUserInput('input.proof', { key: 'recognition.proofRequired' });
        grantingBody = input.grantingBody;
      } else {
        const unit = await this.callerUnit(manager);
        grantingBody = unit.name;
        grantingUnitId = unit.id;
      }
      const [row] = await manager.query(
        `INSERT INTO award (volunteer_id, name, awarded_on, kind, granting_body, granting_unit_id, proof, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${AWARD_COLUMNS}`,
        [volunteer.id, input.name, input.awardedOn, input.kind, grantingBody, grantingUnitId, input.proof ?? null, claims.sub],
      );
      return awardOf(row);
    });
  }

  /**
   * Grants a star: admins in scope of the volunteer's home station (the center admin for one without). A level the
   * verified hours do not reach is refused; granting a level again answers the award already made, and of
   * concurrent grants one writes (the volunteer row is locked, and the unique index has the last word). The grant
   * that writes emits `volunteer.star.awarded` in its transaction: the volunteer is told once, however often it is
   * retried.
   */
  async grantStar(raw: unknown): Promise<AwardRow> {
    const input = parseInput(grantStarInput, raw);
    const { award, emitted } = await this.dataSource.transaction(async (manager) => {
      const volunteer = await this.volunteerInScope(manager, input.volunteerId);
      const ladder = await this.thresholds(manager);
      const eligibility = eligibilityOf(volunteer.verifiedMinutes, ladder);
      const step = ladder.find((candidate) => candidate.level === input.level);
      if (!step) throw new BadUserInput('input.level', { key: 'input.outOfRange', min: 1, max: ladder.length });
      if (input.level > eligibility.level) {
        throw new BadUserInput('input.level', {
          key: 'recognition.notEligible',
          level: input.level,
          neededHours: step.hours,
          verifiedHours: eligibility.verifiedHours,
          eligibleLevel: eligibility.level,
        });
      }
      const unit = await this.callerUnit(manager);
      const inserted: Record<string, unknown>[] = await manager.query(
        `INSERT INTO award (volunteer_id, name, awarded_on, kind, granting_body, granting_unit_id, star_level, recorded_by)
         VALUES ($1, $2, $3, 'STAR', $4, $5, $6, $7)
         ON CONFLICT (volunteer_id, star_level) WHERE star_level IS NOT NULL DO NOTHING RETURNING ${AWARD_COLUMNS}`,
        [volunteer.id, STAR_NAME(input.level), input.awardedOn ?? beijingToday(), unit.name, unit.id, input.level, this.actor.claims!.sub],
      );
      if (inserted[0]) {
        const award = awardOf(inserted[0]);
        await recordEvent(manager, {
          type: 'volunteer.star.awarded',
          actor: { personId: this.actor.claims!.sub, roles: this.actor.claims!.roles },
          unitPath: volunteer.homeStationPath,
          payload: {
            awardId: award.id,
            volunteerId: volunteer.id,
            personId: volunteer.personId,
            level: input.level,
            name: award.name,
            awardedOn: award.awardedOn,
            grantingUnitId: unit.id,
            grantingUnitName: unit.name,
            stationId: volunteer.homeStationId,
          },
        });
        return { award, emitted: true };
      }
      const [existing] = await manager.query(`SELECT ${AWARD_COLUMNS} FROM award WHERE volunteer_id = $1 AND star_level = $2`, [
        volunteer.id,
        input.level,
      ]);
      return { award: awardOf(existing), emitted: false };
    });
    if (emitted) this.eventsWritten();
    return award;
  }

  /** The center admin replaces the ladder: hours of 1★, 2★, … rising. */
  async setStarThresholds(raw: unknown): Promise<StarThreshold[]> {
    const claims = this.actor.requireRole('CENTER_ADMIN');
    const input = parseInput(setStarThresholdsInput, raw);
    input.hours.forEach((hours, index) => {
      if (index > 0 && hours <= input.hours[index - 1]!) throw new BadUserInput(`input.hours.${index}`, { key: 'recognition.thresholdsRising' });
    });
    return this.dataSource.transaction(async (manager) => {
      await manager.query('LOCK TABLE star_threshold IN EXCLUSIVE MODE');
      await manager.query('DELETE FROM star_threshold');
      await manager.query(
        `INSERT INTO star_threshold (level, hours, updated_by) SELECT ordinality, hours, $2 FROM unnest($1::int[]) WITH ORDINALITY AS t(hours, ordinality)`,
        [input.hours, claims.sub],
      );
      return this.thresholds(manager);
    });
  }

  thresholds(manager: EntityManager = this.dataSource.manager): Promise<StarThreshold[]> {
    return starLadder(manager);
  }

  async eligibility(volunteer: VolunteerLike): Promise<StarEligibility> {
    this.ladder ??= this.thresholds();
    return eligibilityOf(volunteer.verifiedMinutes, await this.ladder);
  }

  trainingsOf(volunteerId: string): Promise<TrainingRow[]> {
    return this.trainingsLoader.load(volunteerId);
  }

  awardsOf(volunteerId: string): Promise<AwardRow[]> {
    return this.awardsLoader.load(volunteerId);
  }

  /** The highest star granted; null without a grant, whatever the hours. */
  async starOf(volunteerId: string): Promise<AwardRow | null> {
    const stars = (await this.awardsOf(volunteerId)).filter((award) => award.starLevel !== null);
    return stars.reduce<AwardRow | null>((best, award) => (!best || award.starLevel! > best.starLevel! ? award : best), null);
  }

  /** The volunteer, locked, when the caller administers their home station (center admin for one without). */
  private async volunteerInScope(manager: EntityManager, id: string): Promise<GrantedVolunteer> {
    const [row] = await manager.query(
      'SELECT id::text, person_id::text, home_station_id::text, home_station_path, verified_minutes FROM volunteer WHERE id = $1 FOR UPDATE',
      [id],
    );
    if (!row) {
      // As for records: an unknown volunteer is FORBIDDEN, NOT_FOUND only to the center admin, who sees everyone.
      this.actor.requireRole('CENTER_ADMIN');
      throw new NotFound('Volunteer', id, '志愿者');
    }
    if (row.home_station_path) this.actor.requireScope(row.home_station_path, ...RECORD_ADMINS);
    else this.actor.requireRole('CENTER_ADMIN');
    return {
      id: row.id,
      personId: row.person_id,
      homeStationId: row.home_station_id,
      homeStationPath: row.home_station_path,
      verifiedMinutes: Number(row.verified_minutes),
    };
  }

  /** The granting unit: the caller's own staff unit. */
  private async callerUnit(manager: EntityManager): Promise<{ id: string; name: string }> {
    const unitId = this.actor.claims?.unitId;
    const unit = unitId ? await findUnit(manager, unitId) : null;
    if (!unit) throw new BadUserInput('input.volunteerId', { key: 'input.unknownReference', entity: 'unit', entityZh: '单位', id: unitId ?? '' });
    return { id: unit.id, name: unit.name };
  }
}
