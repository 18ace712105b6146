import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event stream (issue 11), all in SQL so that a consumer in any language needs only a Postgres driver:
 *
 * - `event_archive`: every event ever published, once (primary key: occurred_at and id), partitioned by month of
 *   `occurred_at` (UTC); `event_archive_add(envelope)` creates the month's partition on first use, archives the event
 *   and copies it into each subscription that wants its type, in one transaction.
 * - `event_subscription`: a named subscription (type patterns such as `order.*`, a retention in entries and in age)
 *   and `event_stream_entry`, its entries waiting to be acknowledged, in arrival order (`pos`).
 * - `event_stream_read` leases the oldest unleased entries to a consumer, `event_stream_ack` removes them,
 *   `event_stream_trim` applies every subscription's retention (counting what it dropped unread), and
 *   `event_stream_replay` copies a range of the archive into one subscription.
 */
export class EventStream1769000000000 implements MigrationInterface {
  name = 'EventStream1769000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE event_archive (
        id uuid NOT NULL,
        type text NOT NULL,
        version integer NOT NULL,
        occurred_at timestamptz NOT NULL,
        archived_at timestamptz NOT NULL DEFAULT now(),
        unit_path text,
        envelope jsonb NOT NULL,
        PRIMARY KEY (occurred_at, id)
      ) PARTITION BY RANGE (occurred_at)`);
    await runner.query('CREATE INDEX event_archive_type_time_idx ON event_archive (type, occurred_at)');

    // '*', an exact type, or a prefix ending in '.*' ('order.*', 'points.redemption.*').
    await runner.query(`
      CREATE FUNCTION event_type_matches(event_type text, patterns text[]) RETURNS boolean
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT EXISTS (
          SELECT 1 FROM unnest(patterns) AS p
          WHERE p = '*' OR p = event_type OR (right(p, 2) = '.*' AND left(event_type, length(p) - 1) = left(p, -1))
        )
      $$`);

    await runner.query(`
      CREATE TABLE event_subscription (
        name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_-]{0,62}$'),
        types text[] NOT NULL CHECK (cardinality(types) > 0),
        max_entries integer NOT NULL CHECK (max_entries > 0),
        max_age interval NOT NULL CHECK (max_age > interval '0'),
        created_at timestamptz NOT NULL DEFAULT now(),
        acked bigint NOT NULL DEFAULT 0,
        dropped bigint NOT NULL DEFAULT 0
      )`);
    await runner.query(`
      CREATE TABLE event_stream_entry (
        subscription text NOT NULL REFERENCES event_subscription (name) ON DELETE CASCADE,
        pos bigint GENERATED ALWAYS AS IDENTITY,
        event_id uuid NOT NULL,
        type text NOT NULL,
        occurred_at timestamptz NOT NULL,
        entered_at timestamptz NOT NULL DEFAULT now(),
        envelope jsonb NOT NULL,
        leased_until timestamptz,
        lease_owner text,
        deliveries integer NOT NULL DEFAULT 0,
        PRIMARY KEY (subscription, pos),
        UNIQUE (subscription, event_id)
      )`);

    await runner.query(`
      CREATE FUNCTION event_archive_add(event jsonb) RETURNS boolean
      LANGUAGE plpgsql AS $$
      DECLARE
        happened timestamptz := (event->>'occurredAt')::timestamptz;
        month_start timestamp := date_trunc('month', happened AT TIME ZONE 'UTC');
        part text := 'event_archive_' || to_char(month_start, 'YYYY_MM');
        added boolean;
      BEGIN
        IF to_regclass(part) IS NULL THEN
          BEGIN
            EXECUTE format('CREATE TABLE %I PARTITION OF event_archive FOR VALUES FROM (%L) TO (%L)',
              part, month_start AT TIME ZONE 'UTC', (month_start + interval '1 month') AT TIME ZONE 'UTC');
          EXCEPTION WHEN duplicate_table OR unique_violation THEN
            NULL; -- another archiver created it meanwhile
          END;
        END IF;
        WITH archived AS (
          INSERT INTO event_archive (id, type, version, occurred_at, unit_path, envelope)
          VALUES ((event->>'id')::uuid, event->>'type', (event->>'version')::integer, happened, event->>'unitPath', event)
          ON CONFLICT DO NOTHING
          RETURNING id, type, occurred_at, envelope
        ), copied AS (
          INSERT INTO event_stream_entry (subscription, event_id, type, occurred_at, envelope)
          SELECT s.name, a.id, a.type, a.occurred_at, a.envelope
          FROM archived a JOIN event_subscription s ON event_type_matches(a.type, s.types)
          ON CONFLICT (subscription, event_id) DO NOTHING
        )
        SELECT count(*) > 0 INTO added FROM archived;
        RETURN added;
      END $$`);

    await runner.query(`
      CREATE FUNCTION event_stream_check(subscription text) RETURNS void
      LANGUAGE plpgsql STABLE AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM event_subscription s WHERE s.name = subscription) THEN
          RAISE EXCEPTION 'unknown subscription: %', subscription USING ERRCODE = 'no_data_found';
        END IF;
      END $$`);

    await runner.query(`
      CREATE FUNCTION event_stream_read(subscription text, consumer text, max_count integer DEFAULT 100, lease_seconds integer DEFAULT 60)
      RETURNS TABLE (pos bigint, event_id uuid, type text, occurred_at timestamptz, deliveries integer, envelope jsonb)
      LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM event_stream_check(subscription);
        RETURN QUERY
        WITH picked AS (
          SELECT x.pos FROM event_stream_entry x
          WHERE x.subscription = event_stream_read.subscription AND (x.leased_until IS NULL OR x.leased_until < now())
          ORDER BY x.pos LIMIT max_count FOR UPDATE SKIP LOCKED
        ), leased AS (
          UPDATE event_stream_entry e
          SET leased_until = now() + make_interval(secs => lease_seconds), lease_owner = consumer, deliveries = e.deliveries + 1
          FROM picked WHERE e.subscription = event_stream_read.subscription AND e.pos = picked.pos
          RETURNING e.pos, e.event_id, e.type, e.occurred_at, e.deliveries, e.envelope
        )
        SELECT * FROM leased ORDER BY 1;
      END $$`);

    await runner.query(`
      CREATE FUNCTION event_stream_ack(subscription text, positions bigint[]) RETURNS integer
      LANGUAGE plpgsql AS $$
      DECLARE removed integer;
      BEGIN
        PERFORM event_stream_check(subscription);
        DELETE FROM event_stream_entry e WHERE e.subscription = event_stream_ack.subscription AND e.pos = ANY (positions);
        GET DIAGNOSTICS removed = ROW_COUNT;
        UPDATE event_subscription s SET acked = s.acked + removed WHERE s.name = subscription AND removed > 0;
        RETURN removed;
      END $$`);

    // Entries past the subscription's count (oldest first) or older than its age since they entered it.
    await runner.query(`
      CREATE FUNCTION event_stream_trim() RETURNS TABLE (subscription text, dropped bigint)
      LANGUAGE plpgsql AS $$
      DECLARE
        s event_subscription;
        oldest_kept bigint;
        removed bigint;
      BEGIN
        FOR s IN SELECT * FROM event_subscription ORDER BY name LOOP
          SELECT x.pos INTO oldest_kept FROM event_stream_entry x
          WHERE x.subscription = s.name ORDER BY x.pos DESC OFFSET s.max_entries - 1 LIMIT 1;
          DELETE FROM event_stream_entry e
          WHERE e.subscription = s.name AND (e.pos < oldest_kept OR e.entered_at < now() - s.max_age);
          GET DIAGNOSTICS removed = ROW_COUNT;
          IF removed > 0 THEN
            UPDATE event_subscription x SET dropped = x.dropped + removed WHERE x.name = s.name;
          END IF;
          subscription := s.name;
          dropped := removed;
          RETURN NEXT;
        END LOOP;
      END $$`);

    await runner.query(`
      CREATE FUNCTION event_stream_replay(subscription text, since timestamptz, until timestamptz, patterns text[] DEFAULT NULL)
      RETURNS integer
      LANGUAGE plpgsql AS $$
      DECLARE added integer;
      BEGIN
        PERFORM event_stream_check(subscription);
        INSERT INTO event_stream_entry (subscription, event_id, type, occurred_at, envelope)
        SELECT s.name, a.id, a.type, a.occurred_at, a.envelope
        FROM event_archive a JOIN event_subscription s ON s.name = event_stream_replay.subscription
        WHERE a.occurred_at >= since AND a.occurred_at < until
          AND event_type_matches(a.type, s.types) AND (patterns IS NULL OR event_type_matches(a.type, patterns))
        ORDER BY a.occurred_at, a.archived_at, a.id
        ON CONFLICT ON CONSTRAINT event_stream_entry_subscription_event_id_key DO NOTHING;
        GET DIAGNOSTICS added = ROW_COUNT;
        RETURN added;
      END $$`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const fn of [
      'event_stream_replay(text, timestamptz, timestamptz, text[])',
      'event_stream_trim()',
      'event_stream_ack(text, bigint[])',
      'event_stream_read(text, text, integer, integer)',
      'event_stream_check(text)',
      'event_archive_add(jsonb)',
    ]) {
      await runner.query(`DROP FUNCTION ${fn}`);
    }
    await runner.query('DROP TABLE event_stream_entry');
    await runner.query('DROP TABLE event_subscription');
    await runner.query('DROP FUNCTION event_type_matches(text, text[])');
    await runner.query('DROP TABLE event_archive');
  }
}
