import type { INestApplication } from '@nestjs/common';
import session from 'express-session';
import passport from 'passport';

/** Sessions and Passport's session support, for main.ts and the e2e tests alike. */
export function setupApp(app: INestApplication): void {
  app.use(
    session({
      secret: process.env.SESSION_SECRET ?? 'change me',
      resave: false,
      saveUninitialized: false,
    }),
  );
  app.use(passport.session());
}
