import { createApp } from './app.js';

const app = createApp({
  clientID: process.env.SEVENGEESE_CLIENT_ID,
  clientSecret: process.env.SEVENGEESE_CLIENT_SECRET,
  baseURL: process.env.SEVENGEESE_BASE_URL,
  sessionKeys: [process.env.SESSION_SECRET],
  stateSecret: process.env.STATE_SECRET,
});
app.listen(Number(process.env.PORT ?? 3000));
