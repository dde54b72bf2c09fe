import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 3000);
const app = createApp({
  clientID: process.env.SEVENGEESE_CLIENT_ID ?? '',
  clientSecret: process.env.SEVENGEESE_CLIENT_SECRET ?? '',
  callbackURL: process.env.SEVENGEESE_CALLBACK_URL ?? `http://localhost:${port}/auth/7geese/callback`,
  ...(process.env.SEVENGEESE_BASE_URL ? { baseURL: process.env.SEVENGEESE_BASE_URL } : {}),
  sessionSecret: process.env.SESSION_SECRET ?? '',
});
app.listen(port, () => console.log(`Listening on http://localhost:${port}`));
