import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recognition (办法 Arts. 8–10; issue 23 parts 6 and 7): trainings with their attendance, awards (a unit's own, or a
 * higher body's with its proof), and the star threshold table, seeded with the default ladder 100/300/600/1,000/1,500
 * hours. A star is an award with a level: one per volunteer and level, so concurrent grants make one.
 */
export class Recognition1768600100000 implements MigrationInterface {
  name = 'Recognition1768600100000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE training (
        id bigserial PRIMARY KEY,
        unit_id bigint NOT NULL,
        unit_path text NOT NULL,
        name text NOT NULL,
        content text NOT NULL,
        minutes int NOT NULL CHECK (minutes > 0 AND minutes <= 100 * 60),
        held_on date NOT NULL,
        recorded_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE training_attendance (
        training_id bigint NOT NULL REFERENCES training (id),
        volunteer_id bigint NOT NULL REFERENCES volunteer (id),
        PRIMARY KEY (training_id, volunteer_id)
      )`);
    await runner.query('CREATE INDEX training_attendance_volunteer ON training_attendance (volunteer_id)');
    await runner.query(`
      CREATE TABLE award (
        id bigserial PRIMARY KEY,
        volunteer_id bigint NOT NULL REFERENCES volunteer (id),
        name text NOT NULL,
        awarded_on date NOT NULL,
        kind text NOT NULL CHECK (kind IN ('UNIT', 'HIGHER_BODY', 'STAR')),
        granting_body text NOT NULL,
        granting_unit_id bigint,
        proof text,
        star_level int CHECK (star_level BETWEEN 1 AND 10),
        recorded_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'STAR') = (star_level IS NOT NULL)),
        CHECK (kind <> 'HIGHER_BODY' OR proof IS NOT NULL),
        CHECK (kind = 'HIGHER_BODY' OR granting_unit_id IS NOT NULL)
      )`);
    await runner.query('CREATE INDEX award_volunteer ON award (volunteer_id)');
    await runner.query('CREATE UNIQUE INDEX award_star_once ON award (volunteer_id, star_level) WHERE star_level IS NOT NULL');
    await runner.query(`
      CREATE TABLE star_threshold (
        level int PRIMARY KEY CHECK (level BETWEEN 1 AND 10),
        hours int NOT NULL CHECK (hours > 0),
        updated_by text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('INSERT INTO star_threshold (level, hours) VALUES (1, 100), (2, 300), (3, 600), (4, 1000), (5, 1500)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE star_threshold');
    await runner.query('DROP TABLE award');
    await runner.query('DROP TABLE training_attendance');
    await runner.query('DROP TABLE training');
  }
}
