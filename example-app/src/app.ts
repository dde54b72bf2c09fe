import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response } from 'express';
import session, { type Store } from 'express-session';
import { Passport } from 'passport';
import { MemoryTokenStore, type PasswordStrategy, type Strategy, type TokenStore } from 'passport-7geese';
import { authRoutes } from './auth-routes.js';
import { Csrf } from './csrf.js';
import { errorView } from './errors.js';
import type { Viewer } from './layout.js';
import { LoginLimits } from './login-limits.js';
import { objectiveRoutes, resumeProgress } from './objective-routes.js';
import { errorPage, homePage, profilePage, type ErrorView } from './pages.js';
import { userOf, type SignedInUser } from './session-data.js';

export interface AppDeps {
  strategy: Strategy;
  passwordStrategy?: PasswordStrategy | undefined;
  sessionSecret: string;
  /** A shared store (Redis) for several instances; the memory store otherwise, for development only. */
  sessionStore?: Store | undefined;
  trustProxy?: boolean | undefined;
  usingSimulator?: boolean | undefined;
  /** Attempt limits for the password form; in memory with the defaults when unset. */
  loginLimits?: LoginLimits | undefined;
  /** Where each sign-in's tokens are kept: a RedisTokenStore for several instances. @default a MemoryTokenStore */
  tokenStore?: TokenStore | undefined;
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // The callback URL carries the authorization code: never send it to another site as a
  // referrer. ('no-referrer' would also make browsers send `Origin: null` on our own forms.)
  'Referrer-Policy': 'same-origin',
  'Content-Security-Policy': "default-src 'self'; img-src * data:; style-src 'unsafe-inline'; frame-ancestors 'none'",
};

/** The example app: "Sign in with 7Geese", a profile page, objectives from the API, logout. */
export function createApp(deps: AppDeps): express.Express {
  const passport = new Passport();
  const tokenStore = deps.tokenStore ?? new MemoryTokenStore();
  passport.use(deps.strategy);
  if (deps.passwordStrategy) passport.use(deps.passwordStrategy);
  // The session holds this small object; a real app would store the user id and look it up.
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: SignedInUser, done) => done(null, user));

  const app = express();
  app.disable('x-powered-by');
  // Behind a proxy that terminates HTTPS, trust its X-Forwarded-Proto so `secure: 'auto'` works.
  app.set('trust proxy', deps.trustProxy ? 1 : false);
  app.use((_req, res, next) => {
    res.set(SECURITY_HEADERS);
    next();
  });
  app.use(
    session({
      name: 'sid',
      secret: deps.sessionSecret,
      resave: false,
      saveUninitialized: false,
      ...(deps.sessionStore ? { store: deps.sessionStore } : {}),
      cookie: {
        httpOnly: true,
        // Not 'strict': the redirect back from 7Geese is a navigation from another site, and it
        // must carry this cookie, which holds the pending sign-in's state. 'lax' sends it on
        // top-level GET navigations and still withholds it from cross-site POSTs.
        sameSite: 'lax',
        secure: 'auto',
        maxAge: 8 * 60 * 60 * 1000,
      },
    }),
  );
  app.use(passport.initialize());
  app.use(passport.session());

  const csrf = new Csrf(deps.sessionSecret);
  // Nothing here writes to the session: a visitor who has not started a sign-in gets none.
  // One token per page: its forms and the logout button share it (and the nonce cookie).
  const viewer = (req: Request, res: Response): Viewer => {
    let token: string | undefined;
    return { signedIn: !!req.user, csrf: () => (token ??= csrf.token(req, res)) };
  };
  const renderError = (req: Request, res: Response, view: ErrorView) => {
    res.status(view.status).type('html').send(errorPage(viewer(req, res), view));
  };
  const renderHome = (req: Request, res: Response, status: number, passwordError?: string, email?: string) => {
    res.status(status).type('html').send(
      homePage(viewer(req, res), {
        user: userOf(req),
        grant: req.session.grant,
        passwordSignIn: !!deps.passwordStrategy,
        passwordError,
        email,
        usingSimulator: !!deps.usingSimulator,
      }),
    );
  };
  const requireSignIn = (req: Request, res: Response, next: NextFunction) => {
    if (req.user) return next();
    res.redirect(`/auth/7geese?returnTo=${encodeURIComponent(req.originalUrl)}`);
  };

  const strategyOf = (req: Request): Strategy | PasswordStrategy => {
    const user = userOf(req);
    return user?.via === 'password' && deps.passwordStrategy ? deps.passwordStrategy : deps.strategy;
  };
  const csrfCheck = (req: Request, res: Response, next: NextFunction) => {
    if (csrf.verify(req)) return next();
    renderError(req, res, { status: 403, title: 'Request refused', message: 'This request did not come from this site, so it was ignored.', retry: '/' });
  };

  app.get('/', (req, res) => renderHome(req, res, 200));
  app.use(
    authRoutes({
      passport,
      refuseCrossSite: csrfCheck,
      loginLimits: deps.loginLimits ?? new LoginLimits(),
      tokenStore,
      passwordStrategy: deps.passwordStrategy,
      strategyOf,
      renderError,
      renderHome,
      resume: resumeProgress({ strategyOf, tokenStore, renderError }),
    }),
  );
  app.get('/profile', requireSignIn, (req, res) => {
    res.type('html').send(profilePage(viewer(req, res), userOf(req)!));
  });
  app.use(objectiveRoutes({ passport, strategyOf, tokenStore, viewer, requireSignIn, refuseCrossSite: csrfCheck, renderError }));
  app.use((req, res) => renderError(req, res, { status: 404, title: 'Page not found', message: 'There is no page at this address.', retry: '/' }));
  const onError: ErrorRequestHandler = (err: { status?: unknown }, req, res, _next) => {
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : undefined;
    const view = status
      ? { status, title: 'Bad request', message: 'This address could not be understood.', retry: '/' }
      : errorView(err);
    if (!status) console.error('example-app: unexpected error:', err instanceof Error ? `${err.name}: ${err.message}` : 'unknown');
    renderError(req, res, view);
  };
  app.use(onError);
  return app;
}
