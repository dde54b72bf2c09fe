import { createApp } from './app.js';

const app = createApp({
  clientID: process.env.SEVENGEESE_CLIENT_ID,
  clientSecret: process.env.SEVENGEESE_CLIENT_SECRET,
  baseURL: process.env.SEVENGEESE_BASE_URL,
  sessionSecret: process.env.SESSION_SECRET,
  stateSecret: process.env.STATE_SECRET,
});
await app.listen({ port: Number(process.env.PORT ?? 3000) });
