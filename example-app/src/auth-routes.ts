import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Passport } from 'passport';
import type { PasswordStrategy, TokenSet, Strategy, TokenStore } from 'passport-7geese';
import { errorView, failureView, notGrantedView } from './errors.js';
import type { LoginLimits } from './login-limits.js';
import type { ErrorView } from './pages.js';
import { safeReturnTo } from './return-to.js';
import { grantOf, userOf, type SignedInUser } from './session-data.js';

export interface AuthDeps {
  passport: InstanceType<typeof Passport>;
  /** Lets a form's POST through only when it came from this site (see csrf.ts). */
  refuseCrossSite: express.RequestHandler;
  passwordStrategy: PasswordStrategy | undefined;
  /** The strategy whose tokens the signed-in person has (the password one, or the sign-in one). */
  strategyOf: (req: Request) => Strategy | PasswordStrategy;
  /** Where each sign-in's tokens are kept, under a random key the session holds. */
  tokenStore: TokenStore;
  loginLimits: LoginLimits;
  renderError: (req: Request, res: Response, view: ErrorView) => void;
  renderHome: (req: Request, res: Response, status: number, passwordError?: string, email?: string) => void;
  /**
   * Finishes what a step-up sign-in was started for (its `state`), once the scopes are granted;
   * returns true when it has answered the request.
   */
  resume: (req: Request, res: Response, state: Record<string, unknown>, before: SignedInUser | undefined) => boolean;
}

type Info =
  | { message?: string; tokens?: TokenSet; missingScopes?: string[]; state?: { returnTo?: string; stepUp?: string[] } & Record<string, unknown> }
  | undefined;

/** Signs the person in: a new session id (passport regenerates it), the tokens in the token store. */
async function completeSignIn(deps: AuthDeps, req: Request, res: Response, next: NextFunction, user: SignedInUser, info: Info): Promise<void> {
  const before = userOf(req);
  const replaced = req.session.grant?.key;
  const key = randomUUID();
  try {
    if (info?.tokens) await deps.tokenStore.save(key, info.tokens);
    // A step-up sign-in replaces the tokens of the one before it.
    if (replaced) await deps.tokenStore.delete(replaced);
  } catch (err) {
    return next(err);
  }
  // keepSessionInfo keeps other tabs' pending sign-ins; the session id changes all the same.
  req.logIn(user, { keepSessionInfo: true, session: true }, (err) => {
    if (err) return next(err);
    if (info?.tokens) req.session.grant = grantOf(key, info.tokens);
    const state = info?.state;
    if (state?.stepUp) {
      // A step-up (requireScopes) that 7Geese granted only in part: say so here rather than
      // going back to a page that would ask again.
      if (info?.missingScopes?.length) return deps.renderError(req, res, notGrantedView(info.missingScopes, safeReturnTo(state.returnTo)));
      if (deps.resume(req, res, state, before)) return;
    }
    res.redirect(safeReturnTo(state?.returnTo) ?? '/');
  });
}

export function authRoutes(deps: AuthDeps): express.Router {
  const { passport } = deps;
  const router = express.Router();

  router.get('/auth/7geese', (req, res, next) => {
    const returnTo = safeReturnTo(req.query.returnTo);
    // passport-oauth2 keeps a `state` object with the pending sign-in and hands it back on the
    // callback; its typings only know the string form.
    const state = (returnTo ? { returnTo } : {}) as unknown as string;
    passport.authenticate('7geese', { state })(req, res, next);
  });

  router.get('/auth/7geese/callback', (req, res, next) => {
    passport.authenticate('7geese', (err: unknown, user: SignedInUser | false, info: Info) => {
      if (err) return deps.renderError(req, res, errorView(err));
      if (!user) return deps.renderError(req, res, failureView(info, !!req.user));
      void completeSignIn(deps, req, res, next, user, info);
    })(req, res, next);
  });

  const form = express.urlencoded({ extended: false, limit: '10kb' });
  const { refuseCrossSite } = deps;

  if (deps.passwordStrategy) {
    router.post('/login/password', form, refuseCrossSite, async (req, res, next) => {
      const email = typeof req.body?.email === 'string' ? req.body.email.slice(0, 200) : undefined;
      const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
      // Counted before 7Geese is asked, so that guesses stop at the limit however fast they come.
      const wait = await deps.loginLimits.attempt(email, address);
      if (wait !== undefined) {
        res.set('Retry-After', String(wait));
        const minutes = Math.ceil(wait / 60);
        const message = `Too many sign-in attempts. Please wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again, or sign in with 7Geese.`;
        return deps.renderHome(req, res, 429, message, email);
      }
      passport.authenticate('7geese-password', (err: unknown, user: SignedInUser | false, info: Info, status?: number) => {
        if (err) return deps.renderError(req, res, errorView(err, '/'));
        if (!user) return deps.renderHome(req, res, status ?? 401, failureView(info).message, email);
        deps.loginLimits.succeeded(email, address).then(() => completeSignIn(deps, req, res, next, user, info), next);
      })(req, res, next);
    });
  }

  router.post('/logout', form, refuseCrossSite, async (req, res, next) => {
    const key = req.session.grant?.key;
    const tokens = key ? await deps.tokenStore.load(key).catch(() => undefined) : undefined;
    const strategy = deps.strategyOf(req);
    if (key) await deps.tokenStore.delete(key).catch(() => undefined);
    if (tokens?.refreshToken) {
      // Revoking the refresh token ends its access token too. A failure must not keep anyone signed in.
      await strategy.revoke(tokens.refreshToken, { hint: 'refresh_token' }).catch(() => undefined);
    } else if (tokens?.accessToken) {
      await strategy.revoke(tokens.accessToken, { hint: 'access_token' }).catch(() => undefined);
    }
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy(() => {
        res.clearCookie('sid', { path: '/' });
        res.redirect(303, '/');
      });
    });
  });

  return router;
}
