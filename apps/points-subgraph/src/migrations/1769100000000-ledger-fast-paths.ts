import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The two hot movements as one statement each (docs/benchmarks/README.md, "Points ledger"): a transfer
 * (`points_transfer`) and the reservation of a reward (`points_redeem`), each the whole database side of the
 * mutation — idempotency claim, row locks, checks, ledger transaction and postings, balance updates, redemption row,
 * outbox events and the idempotency answer — in one function call, autocommitted. Nothing is held across round trips.
 *
 * They do the common case only. Anything unusual (no account yet, an unknown receiver, a sending to oneself, the
 * daily or per-person limit reached, too few points, no stock, a taken pickup code, a reward out of its window)
 * raises SQLSTATE `KZ000` before anything commits, and the service runs its general path, which gives the precise
 * error or opens what is missing. The database guarantees are the ledger's own and unchanged: postings balance
 * (deferred trigger `posting_balanced`), postings and resolved transactions are append-only, and no person's or
 * pool's available balance goes below zero (CHECK `points_account_never_negative`, plus the conditional UPDATEs).
 */
export class LedgerFastPaths1769100000000 implements MigrationInterface {
  name = 'LedgerFastPaths1769100000000';

  async up(runner: QueryRunner): Promise<void> {
    // A redemption's reference to its reward is checked at commit instead of at the INSERT. Checked at the INSERT, it
    // takes a KEY SHARE lock on the hot reward's row while another redeemer holds the row for its stock UPDATE, and
    // every such pair makes Postgres build a MultiXact on that row; checked at commit, the row is already this
    // transaction's own (its stock UPDATE came first), so the check costs an index probe. The guarantee is the same.
    await runner.query('ALTER TABLE redemption ALTER CONSTRAINT redemption_reward_id_fkey DEFERRABLE INITIALLY DEFERRED');
    await runner.query(`
      CREATE FUNCTION points_transfer(
        p_actor text, p_key text, p_request_hash text, p_person bigint,
        p_to_id bigint, p_to_card text, p_to_station bigint, p_amount bigint, p_daily_limit bigint,
        p_note text, p_metadata jsonb,
        p_event_id uuid, p_event_version int, p_event_actor jsonb, p_occurred_at timestamptz, p_request_id text)
      RETURNS TABLE (was_replayed boolean, first_operation text, first_request_hash text, answer jsonb,
        -- The transaction as the payer's statement shows it (none on a replay), so the answer needs no second read.
        view_kind text, view_status text, view_description text, view_created_at timestamptz, view_amount bigint, view_counterparty_id text)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_payer bigint;
        v_to bigint;
        v_to_kind text;
        v_to_path text;
        v_given bigint;
        v_tx bigint;
        v_tx_row ledger_transaction%ROWTYPE;
        v_moved int;
        v_response jsonb;
      BEGIN
        -- The claim first: a concurrent repeat waits here for the first to commit, then replays its answer.
        INSERT INTO idempotency_record (actor, key, operation, request_hash) VALUES (p_actor, p_key, 'transferPoints', p_request_hash)
          ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN
          RETURN QUERY SELECT true, i.operation, i.request_hash, i.response, NULL::text, NULL::text, NULL::text, NULL::timestamptz, NULL::bigint, NULL::text
            FROM idempotency_record i WHERE i.actor = p_actor AND i.key = p_key;
          RETURN;
        END IF;
        SELECT a.id INTO v_payer FROM points_account a WHERE a.person_id = p_person;
        IF p_to_station IS NOT NULL THEN
          SELECT a.id, a.kind, u.path INTO v_to, v_to_kind, v_to_path
            FROM unit_ref u JOIN points_account a ON a.kind = 'POOL' AND a.unit_id = u.id
           WHERE u.id = p_to_station AND u.level = 'STATION';
        ELSIF p_to_id IS NOT NULL THEN
          SELECT a.id, a.kind, a.unit_path INTO v_to, v_to_kind, v_to_path FROM points_account a WHERE a.id = p_to_id AND a.kind <> 'SYSTEM';
        ELSE
          SELECT a.id, a.kind, a.unit_path INTO v_to, v_to_kind, v_to_path FROM points_account a WHERE a.card_number = p_to_card AND a.kind <> 'SYSTEM';
        END IF;
        IF v_payer IS NULL OR v_to IS NULL OR v_to = v_payer THEN
          RAISE EXCEPTION 'transfer needs the general path' USING ERRCODE = 'KZ000';
        END IF;
        -- Both rows in id order (as every ledger movement takes them): opposite transfers cannot deadlock, and the
        -- payer's transfers take turns, so the day's total cannot be raced past the limit.
        PERFORM 1 FROM points_account a WHERE a.id IN (v_payer, v_to) ORDER BY a.id FOR UPDATE;
        SELECT coalesce(-sum(p.amount), 0) INTO v_given
          FROM posting p JOIN ledger_transaction t ON t.id = p.transaction_id
         WHERE p.account_id = v_payer AND p.amount < 0 AND t.kind IN ('TRANSFER', 'DONATION')
           AND t.created_at >= (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai');
        IF v_given + p_amount > p_daily_limit THEN
          RAISE EXCEPTION 'transfer needs the general path' USING ERRCODE = 'KZ000';
        END IF;
        INSERT INTO ledger_transaction (kind, status, description, created_by, metadata)
          VALUES (CASE WHEN v_to_kind = 'POOL' THEN 'DONATION' ELSE 'TRANSFER' END, 'POSTED',
                  coalesce(nullif(p_note, ''), CASE WHEN v_to_kind = 'POOL' THEN '爱心捐赠' ELSE '积分转赠' END), p_actor, p_metadata)
          RETURNING * INTO v_tx_row;
        v_tx := v_tx_row.id;
        INSERT INTO posting (transaction_id, account_id, amount) VALUES (v_tx, v_payer, -p_amount), (v_tx, v_to, p_amount);
        UPDATE points_account a SET balance = a.balance + CASE WHEN a.id = v_payer THEN -p_amount ELSE p_amount END, updated_at = now()
         WHERE a.id IN (v_payer, v_to) AND (a.id = v_to OR a.balance - a.reserved - p_amount >= 0);
        GET DIAGNOSTICS v_moved = ROW_COUNT;
        IF v_moved <> 2 THEN
          RAISE EXCEPTION 'transfer needs the general path' USING ERRCODE = 'KZ000';
        END IF;
        INSERT INTO outbox (id, type, version, occurred_at, actor, unit_path, payload, request_id)
          VALUES (p_event_id, 'points.transferred', p_event_version, p_occurred_at, p_event_actor, v_to_path,
                  jsonb_build_object('fromAccountId', v_payer::text, 'toAccountId', v_to::text, 'amount', p_amount), p_request_id);
        v_response := jsonb_build_object('transactionId', v_tx::text, 'accountId', v_payer::text);
        UPDATE idempotency_record SET response = v_response WHERE actor = p_actor AND key = p_key;
        RETURN QUERY SELECT false, 'transferPoints'::text, p_request_hash, v_response,
          v_tx_row.kind, v_tx_row.status, v_tx_row.description, v_tx_row.created_at, -p_amount, v_to::text;
      END $$`);
    await runner.query(`
      CREATE FUNCTION points_redeem(
        p_actor text, p_key text, p_request_hash text, p_person bigint, p_reward bigint, p_quantity int,
        p_pickup_code text, p_hold_seconds int,
        p_event_id uuid, p_event_version int, p_service_event_id uuid, p_service_event_version int,
        p_event_actor jsonb, p_occurred_at timestamptz, p_request_id text)
      RETURNS TABLE (was_replayed boolean, first_operation text, first_request_hash text, answer jsonb,
        -- The redemption made (none on a replay), so the answer needs no second statement to read it.
        id bigint, reward_id bigint, account_id bigint, person_id bigint, quantity int, points bigint, status text, pickup_code text,
        station_id bigint, station_path text, transaction_id bigint, expires_at timestamptz, created_at timestamptz,
        resolved_at timestamptz, resolved_by text)
      LANGUAGE plpgsql AS $$
      #variable_conflict use_column
      DECLARE
        r reward%ROWTYPE;
        v_account bigint;
        v_sink bigint;
        v_used int;
        v_points bigint;
        v_tx bigint;
        v_station_id bigint;
        v_station_path text;
        v_redemption redemption%ROWTYPE;
        v_response jsonb;
        v_payload jsonb;
      BEGIN
        INSERT INTO idempotency_record (actor, key, operation, request_hash) VALUES (p_actor, p_key, 'redeemReward', p_request_hash)
          ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN
          RETURN QUERY SELECT true, i.operation, i.request_hash, i.response, (NULL::redemption).* FROM idempotency_record i WHERE i.actor = p_actor AND i.key = p_key;
          RETURN;
        END IF;
        -- The reward as the general path reads it (reward-scope.ts ACTIVE_SQL for the window); the stock is decided
        -- by the conditional UPDATE at the very end.
        SELECT * INTO r FROM reward WHERE id = p_reward;
        IF NOT FOUND OR NOT ((r.active_from IS NULL OR r.active_from <= now()) AND (r.active_until IS NULL OR r.active_until > now()))
           OR (r.stock IS NOT NULL AND r.stock < p_quantity) THEN
          RAISE EXCEPTION 'redemption needs the general path' USING ERRCODE = 'KZ000';
        END IF;
        SELECT a.id INTO v_account FROM points_account a WHERE a.person_id = p_person;
        SELECT a.id INTO v_sink FROM points_account a WHERE a.system_code = 'REDEMPTION';
        IF v_account IS NULL OR v_sink IS NULL THEN
          RAISE EXCEPTION 'redemption needs the general path' USING ERRCODE = 'KZ000';
        END IF;
        v_points := r.price::bigint * p_quantity;
        -- The points hold, conditional on the available balance; it also locks the person's row, so one person's
        -- redemptions take turns and the per-person limit below cannot be raced past.
        UPDATE points_account a SET reserved = a.reserved + v_points, updated_at = now()
         WHERE a.id = v_account AND a.balance - a.reserved >= v_points;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'redemption needs the general path' USING ERRCODE = 'KZ000';
        END IF;
        IF r.per_person_limit IS NOT NULL AND r.limit_period IS NOT NULL THEN
          SELECT coalesce(sum(x.quantity), 0)::int INTO v_used FROM redemption x
           WHERE x.reward_id = r.id AND x.person_id = p_person AND x.status IN ('RESERVED', 'FULFILLED')
             AND x.created_at >= date_trunc(lower(r.limit_period), now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai';
          IF v_used + p_quantity > r.per_person_limit THEN
            RAISE EXCEPTION 'redemption needs the general path' USING ERRCODE = 'KZ000';
          END IF;
        END IF;
        IF r.unit_id IS NOT NULL AND r.unit_path IS NOT NULL THEN
          v_station_id := r.unit_id;
          v_station_path := r.unit_path;
        ELSE
          SELECT u.id, u.path INTO v_station_id, v_station_path FROM unit_ref u WHERE u.level = 'CENTER' ORDER BY u.id LIMIT 1;
          IF v_station_id IS NULL THEN
            RAISE EXCEPTION 'redemption needs the general path' USING ERRCODE = 'KZ000';
          END IF;
        END IF;
        INSERT INTO ledger_transaction (kind, status, description, created_by, metadata)
          VALUES ('REDEMPTION', 'PENDING', '兑换 ' || r.name || ' ×' || p_quantity, p_actor,
                  jsonb_build_object('rewardId', r.id::text, 'quantity', p_quantity))
          RETURNING id INTO v_tx;
        INSERT INTO posting (transaction_id, account_id, amount) VALUES (v_tx, v_account, -v_points), (v_tx, v_sink, v_points);
        INSERT INTO redemption (reward_id, account_id, person_id, quantity, points, status, pickup_code, station_id, station_path, transaction_id, expires_at)
          VALUES (r.id, v_account, p_person, p_quantity, v_points, 'RESERVED', p_pickup_code, v_station_id, v_station_path, v_tx,
                  now() + make_interval(secs => p_hold_seconds))
          ON CONFLICT (pickup_code) DO NOTHING
          RETURNING * INTO v_redemption;
        IF v_redemption.id IS NULL THEN
          RAISE EXCEPTION 'redemption needs the general path' USING ERRCODE = 'KZ000';
        END IF;
        -- The pickup code stays out of the events, as in the general path.
        v_payload := jsonb_build_object('redemptionId', v_redemption.id::text, 'accountId', v_account::text, 'rewardId', r.id::text,
          'quantity', p_quantity, 'points', v_points, 'stationId', v_station_id::text);
        INSERT INTO outbox (id, type, version, occurred_at, actor, unit_path, payload, request_id)
          VALUES (p_event_id, 'points.redemption.reserved', p_event_version, p_occurred_at, p_event_actor, v_station_path,
                  v_payload || jsonb_build_object('expiresAt', to_char(v_redemption.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
                  p_request_id);
        IF r.kind = 'SERVICE' THEN
          INSERT INTO outbox (id, type, version, occurred_at, actor, unit_path, payload, request_id)
            VALUES (p_service_event_id, 'points.service.redeemed', p_service_event_version, p_occurred_at, p_event_actor, v_station_path,
                    jsonb_build_object('redemptionId', v_redemption.id::text, 'personId', p_person::text, 'rewardId', r.id::text,
                      'stationId', v_station_id::text, 'description', r.name || ' ×' || p_quantity),
                    p_request_id);
        END IF;
        v_response := jsonb_build_object('redemptionId', v_redemption.id::text);
        UPDATE idempotency_record SET response = v_response WHERE actor = p_actor AND key = p_key;
        -- Last, so the reward's row, which every redeemer of the reward wants, is held only from here to the commit.
        IF r.stock IS NOT NULL THEN
          UPDATE reward SET stock = stock - p_quantity, updated_at = now() WHERE id = r.id AND stock >= p_quantity;
          IF NOT FOUND THEN
            RAISE EXCEPTION 'redemption needs the general path' USING ERRCODE = 'KZ000';
          END IF;
        END IF;
        RETURN QUERY SELECT false, 'redeemReward'::text, p_request_hash, v_response, v_redemption.*;
      END $$`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP FUNCTION points_redeem, points_transfer');
    await runner.query('ALTER TABLE redemption ALTER CONSTRAINT redemption_reward_id_fkey NOT DEFERRABLE');
  }
}
