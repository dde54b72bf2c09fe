import type { Request } from 'express';
import { SevenGeeseClient, type Strategy } from 'passport-7geese';
import type { Objective } from './pages.js';
import { tokensFromSet } from './session-data.js';

/** At most this many objectives on the page: enough for a demo, bounded for a big account. */
const LIMIT = 50;

/**
 * A client with the signed-in person's token. When 7Geese rejects an expired token the client
 * refreshes it once, and the new tokens go back into the session.
 */
function clientFor(req: Request, strategy: Strategy): SevenGeeseClient {
  const tokens = req.session.tokens;
  if (!tokens) throw new Error('No 7Geese tokens in this session.');
  return new SevenGeeseClient({
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    strategy,
    onTokens: (fresh) => {
      req.session.tokens = tokensFromSet(fresh);
    },
  });
}

/** The signed-in person's objectives from the 7Geese API (needs `objective:read`). */
export async function loadObjectives(req: Request, strategy: Strategy): Promise<Objective[]> {
  const objectives: Objective[] = [];
  for await (const objective of clientFor(req, strategy).paginate<Objective>('/objectives/', { pageSize: LIMIT })) {
    objectives.push(objective);
    if (objectives.length >= LIMIT) break;
  }
  return objectives;
}

/** Sets an objective's progress, in percent, through the 7Geese API (needs `objective:write`). */
export async function updateProgress(req: Request, strategy: Strategy, id: number, progress: number): Promise<void> {
  await clientFor(req, strategy).patch(`/objectives/${id}/`, { progress });
}
