import Koa from 'koa';
import session from 'koa-session';
import Router from '@koa/router';
import { KoaPassport } from 'koa-passport';
import { CookieStateStore, Strategy as SevenGeeseStrategy } from 'passport-7geese';

function escapeHTML(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The app: { clientID, clientSecret, baseURL, sessionKeys, stateSecret }. With a `stateSecret`,
 * pending sign-ins are kept in sealed cookies (CookieStateStore) rather than in the session.
 */
export function createApp(config) {
  const app = new Koa();
  const passport = new KoaPassport();
  app.keys = config.sessionKeys;

  const store = config.stateSecret ? new CookieStateStore({ secret: config.stateSecret }) : undefined;
  passport.use(
    new SevenGeeseStrategy(
      {
        clientID: config.clientID,
        clientSecret: config.clientSecret,
        callbackURL: '/auth/7geese/callback',
        baseURL: config.baseURL,
        scope: ['userprofile:read'],
        ...(store ? { store } : {}),
      },
      (accessToken, refreshToken, profile, done) => {
        done(null, { id: profile.id, displayName: profile.displayName, email: profile.emails[0]?.value });
      },
    ),
  );
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user, done) => done(null, user));

  app.use(session({}, app));
  app.use(passport.initialize());
  app.use(passport.session());

  const router = new Router();
  router.get('/', (ctx) => {
    ctx.body = ctx.isAuthenticated()
      ? `<p>Signed in as ${escapeHTML(ctx.state.user.displayName)} (${escapeHTML(ctx.state.user.email)})</p>`
      : '<a href="/auth/7geese">Sign in with 7Geese</a>';
  });
  router.get('/login', (ctx) => {
    const messages = ctx.session.messages ?? [];
    ctx.session.messages = [];
    ctx.status = 401;
    ctx.body = `<h1>Sign-in failed</h1><p>${messages.map(escapeHTML).join('<br>')}</p><a href="/auth/7geese">Try again</a>`;
  });
  router.get('/auth/7geese', passport.authenticate('7geese'));
  router.get('/auth/7geese/callback', passport.authenticate('7geese', { successRedirect: '/', failureRedirect: '/login', failureMessage: true }));
  app.use(router.routes()).use(router.allowedMethods());
  return app;
}
