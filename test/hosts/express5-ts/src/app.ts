import express, { type Express } from 'express';
import session from 'express-session';
import passport from 'passport';
import { Strategy as SevenGeeseStrategy, type Profile } from 'passport-7geese';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface User {
      id: string;
      displayName: string;
      email: string | undefined;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    messages: string[];
  }
}

export interface AppConfig {
  clientID: string;
  clientSecret: string;
  callbackURL: string;
  baseURL?: string;
  sessionSecret: string;
}

function escapeHTML(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function createApp(config: AppConfig): Express {
  passport.use(
    new SevenGeeseStrategy(
      {
        clientID: config.clientID,
        clientSecret: config.clientSecret,
        callbackURL: config.callbackURL,
        baseURL: config.baseURL,
        scope: ['userprofile:read'],
      },
      async (_accessToken: string, _refreshToken: string | undefined, profile: Profile) => ({
        id: profile.id,
        displayName: profile.displayName,
        email: profile.emails[0]?.value,
      }),
    ),
  );
  passport.serializeUser<Express.User>((user, done) => done(null, user));
  passport.deserializeUser<Express.User>((user, done) => done(null, user));

  const app = express();
  app.use(session({ secret: config.sessionSecret, resave: false, saveUninitialized: false }));
  app.use(passport.authenticate('session'));

  app.get('/', (req, res) => {
    if (!req.user) {
      res.send('<a href="/login/7geese">Sign in with 7Geese</a>');
      return;
    }
    res.send(`<p>Signed in as ${escapeHTML(req.user.displayName)} (${escapeHTML(req.user.email ?? 'no email')})</p>`);
  });
  app.get('/login', (req, res) => {
    const messages = req.session.messages ?? [];
    req.session.messages = [];
    res.status(401).send(`<h1>Sign-in failed</h1><p>${messages.map(escapeHTML).join('<br>')}</p><a href="/login/7geese">Try again</a>`);
  });
  app.get('/login/7geese', passport.authenticate('7geese'));
  app.get('/auth/7geese/callback', passport.authenticate('7geese', { successRedirect: '/', failureRedirect: '/login', failureMessage: true }));
  return app;
}
