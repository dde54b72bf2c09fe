import Fastify from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import { Authenticator } from '@fastify/passport';
import { CookieStateStore, Strategy as SevenGeeseStrategy } from 'passport-7geese';

function escapeHTML(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The app: { clientID, clientSecret, baseURL, sessionSecret, stateSecret }. With a
 * `stateSecret`, pending sign-ins are kept in sealed cookies (CookieStateStore) rather than in
 * the session.
 */
export function createApp(config) {
  const fastify = Fastify();
  const passport = new Authenticator();

  fastify.register(fastifyCookie);
  fastify.register(fastifySession, { secret: config.sessionSecret, cookie: { secure: 'auto' } });
  fastify.register(passport.initialize());
  fastify.register(passport.secureSession());

  const store = config.stateSecret ? new CookieStateStore({ secret: config.stateSecret }) : undefined;
  if (store) fastify.addHook('onRequest', CookieStateStore.fastifyHook);
  passport.use(
    '7geese',
    new SevenGeeseStrategy(
      {
        clientID: config.clientID,
        clientSecret: config.clientSecret,
        callbackURL: '/auth/7geese/callback',
        baseURL: config.baseURL,
        scope: ['userprofile:read'],
        ...(store ? { store } : {}),
      },
      async (accessToken, refreshToken, profile) => ({
        id: profile.id,
        displayName: profile.displayName,
        email: profile.emails[0]?.value,
      }),
    ),
  );
  passport.registerUserSerializer(async (user) => user);
  passport.registerUserDeserializer(async (user) => user);

  fastify.get('/', async (request, reply) => {
    reply.type('text/html');
    if (!request.user) return '<a href="/auth/7geese">Sign in with 7Geese</a>';
    return `<p>Signed in as ${escapeHTML(request.user.displayName)} (${escapeHTML(request.user.email)})</p>`;
  });
  fastify.get('/login', async (request, reply) => {
    const messages = request.session.get('messages') ?? [];
    request.session.set('messages', []);
    reply.code(401).type('text/html');
    return `<h1>Sign-in failed</h1><p>${messages.map(escapeHTML).join('<br>')}</p><a href="/auth/7geese">Try again</a>`;
  });
  fastify.get('/auth/7geese', { preValidation: passport.authenticate('7geese') }, async () => {});
  fastify.get(
    '/auth/7geese/callback',
    { preValidation: passport.authenticate('7geese', { successRedirect: '/', failureRedirect: '/login', failureMessage: true }) },
    async () => {},
  );
  return fastify;
}
