import type { Request } from 'express';
import { SevenGeeseClient, type PasswordStrategy, type Strategy, type TokenStore } from 'passport-7geese';
import type { Objective } from './pages.js';

/** At most this many objectives on the page: enough for a demo, bounded for a big account. */
const LIMIT = 50;

/**
 * A client with this sign-in's tokens from the token store: it refreshes them a minute before
 * they expire (or after a 401), through the store's lease, so that instances and tabs refreshing
 * at the same moment make one refresh of the rotating token between them.
 */
function clientFor(req: Request, strategy: Strategy | PasswordStrategy, tokenStore: TokenStore): SevenGeeseClient {
  const key = req.session.grant?.key;
  if (!key) throw new Error('No 7Geese tokens in this session.');
  return new SevenGeeseClient({ tokenStore, key, strategy });
}

/** Aborts when the browser goes away, so that a slow listing does not go on calling 7Geese. */
function untilClosed(req: Request): AbortSignal {
  const controller = new AbortController();
  req.once('close', () => controller.abort());
  return controller.signal;
}

/** The signed-in person's objectives from the 7Geese API (needs `objective:read`). */
export async function loadObjectives(req: Request, strategy: Strategy | PasswordStrategy, tokenStore: TokenStore): Promise<Objective[]> {
  const objectives: Objective[] = [];
  // One page holds them all (pageSize = LIMIT); a deadline and the browser's leaving end it early.
  const pages = clientFor(req, strategy, tokenStore).paginate<Objective>('/objectives/', { pageSize: LIMIT, maxPages: 5, deadline: 15_000, signal: untilClosed(req) });
  for await (const objective of pages) {
    objectives.push(objective);
    if (objectives.length >= LIMIT) break;
  }
  return objectives;
}

/** Sets an objective's progress, in percent, through the 7Geese API (needs `objective:write`). */
export async function updateProgress(req: Request, strategy: Strategy | PasswordStrategy, tokenStore: TokenStore, id: number, progress: number): Promise<void> {
  await clientFor(req, strategy, tokenStore).patch(`/objectives/${id}/`, { progress });
}
