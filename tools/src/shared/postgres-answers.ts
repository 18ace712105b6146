import { Client } from 'pg';

/** Whether a PostgreSQL server on 127.0.0.1:`port` takes a connection as `postgres` and answers a query in time. */
export async function postgresAnswers(port: number, timeoutMs: number): Promise<boolean> {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined); // a server going down mid-check answers false, not an unhandled error
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
