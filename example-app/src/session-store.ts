import type { Store } from 'express-session';

/**
 * The session store. With `REDIS_URL`, sessions live in Redis, so that a sign-in started on one
 * instance can finish on another. Without it, express-session's memory store: for development
 * only (it forgets everything on restart, is not shared, and never shrinks).
 */
export async function createSessionStore(
  redisURL: string | undefined,
): Promise<{ store: Store | undefined; /** The connected client, for other shared state (the login limits). */ redis: unknown; close: () => Promise<void> }> {
  if (!redisURL) return { store: undefined, redis: undefined, close: async () => {} };
  const [{ createClient }, { RedisStore }] = await Promise.all([import('redis'), import('connect-redis')]);
  const client = createClient({ url: redisURL });
  client.on('error', (err: Error) => console.error(`example-app: Redis: ${err.message}`));
  await client.connect();
  return {
    store: new RedisStore({ client, prefix: 'p7g-example:sess:' }),
    redis: client,
    close: async () => {
      await client.quit().catch(() => undefined);
    },
  };
}
