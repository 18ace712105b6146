import type { Pool, PoolClient } from 'pg';

/**
 * Live streams on the Postgres queue backend: one table of entries keyed by (topic, ms, seq), so a cursor is the same
 * `ms-seq` string a Redis stream id is and clients resume with `after` unchanged. Appends to a topic take turns on
 * its row in `live_topic` (which also keeps the last id and how many entries were ever added, as `XINFO STREAM`
 * does), ids only grow, the topic is trimmed to `maxLen` entries, and a `NOTIFY` wakes the gateways reading it.
 */
export const LIVE_CHANNEL = 'kz_live';

/**
 * Runs `work` on a client checked out of `pool`. A checked-out client has no error listener of the pool's, so a
 * connection lost between two statements (Postgres restarting) would be an unhandled 'error' that ends the process:
 * it is caught here, fails `work`'s next statement instead, and the client is discarded rather than reused.
 */
export async function withClient<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost = error;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } finally {
    client.off('error', onError);
    client.release(lost ?? false);
  }
}

export async function appendLivePostgres(pool: Pool, topic: string, entries: readonly object[], maxLen: number): Promise<void> {
  if (entries.length === 0) return;
  await withClient(pool, (client) => appendOn(client, topic, entries, maxLen));
}

async function appendOn(client: PoolClient, topic: string, entries: readonly object[], maxLen: number): Promise<void> {
  try {
    await client.query('BEGIN');
    // The topic's row is the append lock: ids are handed out in commit order.
    await client.query(
      `INSERT INTO public.live_topic (topic, last_ms, last_seq, added) VALUES ($1, 0, 0, 0) ON CONFLICT (topic) DO NOTHING`,
      [topic],
    );
    const { rows } = await client.query<{ last_ms: string; last_seq: string }>(
      'SELECT last_ms, last_seq FROM public.live_topic WHERE topic = $1 FOR UPDATE',
      [topic],
    );
    let ms = Number(rows[0]!.last_ms);
    let seq = Number(rows[0]!.last_seq);
    const now = Date.now();
    const ids: { ms: number; seq: number }[] = entries.map(() => {
      if (now > ms) {
        ms = now;
        seq = 0;
      } else {
        seq += 1;
      }
      return { ms, seq };
    });
    await client.query(
      `INSERT INTO public.live_entry (topic, ms, seq, entry)
       SELECT $1, m, s, e FROM unnest($2::bigint[], $3::bigint[], $4::text[]) AS t(m, s, e)`,
      [topic, ids.map((id) => id.ms), ids.map((id) => id.seq), entries.map((entry) => JSON.stringify(entry))],
    );
    await client.query('UPDATE public.live_topic SET last_ms = $2, last_seq = $3, added = added + $4 WHERE topic = $1', [
      topic,
      ms,
      seq,
      entries.length,
    ]);
    if (maxLen > 0) {
      await client.query(
        `DELETE FROM public.live_entry WHERE topic = $1 AND (ms, seq) <= (
           SELECT ms, seq FROM public.live_entry WHERE topic = $1 ORDER BY ms DESC, seq DESC OFFSET $2 LIMIT 1)`,
        [topic, maxLen],
      );
    }
    await client.query('SELECT pg_notify($1, $2)', [LIVE_CHANNEL, topic]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** A topic's state as `XINFO STREAM` tells it: entries retained, ever added, the first retained and the last id. */
export async function liveTopicInfo(
  pool: Pool,
  topic: string,
): Promise<{ length: number; added: number; first: string | null; last: string | null } | null> {
  const { rows } = await pool.query<{ added: string; last_ms: string; last_seq: string; length: string; first: string | null }>(
    `SELECT t.added, t.last_ms, t.last_seq,
            (SELECT count(*) FROM public.live_entry e WHERE e.topic = t.topic) AS length,
            (SELECT e.ms || '-' || e.seq FROM public.live_entry e WHERE e.topic = t.topic ORDER BY e.ms, e.seq LIMIT 1) AS first
       FROM public.live_topic t WHERE t.topic = $1`,
    [topic],
  );
  const row = rows[0];
  if (!row) return null;
  return { length: Number(row.length), added: Number(row.added), first: row.first, last: `${row.last_ms}-${row.last_seq}` };
}

/** Up to `count` entries of a topic after the cursor `after` (`ms-seq`), oldest first. */
export async function readLiveAfter(pool: Pool, topic: string, after: string, count: number): Promise<{ cursor: string; entry: string }[]> {
  const [ms, seq] = after.split('-').map(Number) as [number, number];
  const { rows } = await pool.query<{ ms: string; seq: string; entry: string }>(
    `SELECT ms, seq, entry FROM public.live_entry WHERE topic = $1 AND (ms, seq) > ($2::bigint, $3::bigint)
      ORDER BY ms, seq LIMIT $4`,
    [topic, ms, seq, count],
  );
  return rows.map((row) => ({ cursor: `${row.ms}-${row.seq}`, entry: row.entry }));
}
