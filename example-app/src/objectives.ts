import type { Request } from 'express';
import { SevenGeeseClient, type Strategy } from 'passport-7geese';
import type { Objective } from './pages.js';
import { tokensFromSet } from './session-data.js';

/** At most this many objectives on the page: enough for a demo, bounded for a big account. */
const LIMIT = 50;

/**
 * The signed-in person's objectives from the 7Geese API, with their token. When 7Geese rejects
 * an expired token the client refreshes it once, and the new tokens go back into the session.
 */
export async function loadObjectives(req: Request, strategy: Strategy): Promise<Objective[]> {
  const tokens = req.session.tokens;
  if (!tokens) throw new Error('No 7Geese tokens in this session.');
  const client = new SevenGeeseClient({
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    strategy,
    onTokens: (fresh) => {
      req.session.tokens = tokensFromSet(fresh);
    },
  });
  const objectives: Objective[] = [];
  for await (const objective of client.paginate<Objective>('/objectives/', { pageSize: LIMIT })) {
    objectives.push(objective);
    if (objectives.length >= LIMIT) break;
  }
  return objectives;
}
