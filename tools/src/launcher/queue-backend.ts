import type { Config } from '@kz/config';
import { assertRedisReachable } from '@kz/events';
import { LaunchFault } from './data-folder';

/**
 * Where the queues run: what the user set in `QUEUE_BACKEND`, else PostgreSQL in the embedded mode (Node alone: the
 * queues live in the data folder with everything else, and survive a restart) and Redis with your own servers.
 * Redis, when it is the choice, must answer. Returns a label for the banner and the variables the apps get for it.
 */
export async function queueBackend(
  config: Pick<Config, 'REDIS_URL'>,
  env: NodeJS.ProcessEnv,
  embedded: boolean,
): Promise<{ label: string; env: Record<string, string> }> {
  const asked = env.QUEUE_BACKEND || undefined;
  if (asked === 'postgres') return { label: 'PostgreSQL (QUEUE_BACKEND=postgres)', env: {} };
  if (asked === undefined && embedded) return { label: 'PostgreSQL, in the embedded server (QUEUE_BACKEND=postgres)', env: { QUEUE_BACKEND: 'postgres' } };
  try {
    await assertRedisReachable(config.REDIS_URL);
    return { label: `Redis at ${config.REDIS_URL}`, env: {} };
  } catch (error) {
    if (!embedded) throw error;
    const { hostname, port } = new URL(config.REDIS_URL);
    throw new LaunchFault(
      `Redis does not answer at ${hostname}:${port || 6379} (REDIS_URL), and QUEUE_BACKEND=${asked} asks for it.`,
      'start a Redis (redis-server --daemonize yes, or docker run -p 6379:6379 redis:7), point REDIS_URL at yours, or leave QUEUE_BACKEND unset to keep the queues in the embedded PostgreSQL.',
    );
  }
}
