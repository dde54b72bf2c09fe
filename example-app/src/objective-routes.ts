import express, { type NextFunction, type Request, type Response } from 'express';
import type { Passport } from 'passport';
import { requireScopes, type PasswordStrategy, type Strategy, type TokenStore } from 'passport-7geese';
import { errorView } from './errors.js';
import { loadObjectives, updateProgress } from './objectives.js';
import { objectivesPage, type ErrorView } from './pages.js';
import type { Viewer } from './layout.js';
import { userOf, type SignedInUser } from './session-data.js';

export interface ObjectiveDeps {
  passport: InstanceType<typeof Passport>;
  /** The strategy whose tokens the signed-in person has (the password one, or the sign-in one). */
  strategyOf: (req: Request) => Strategy | PasswordStrategy;
  /** Where each sign-in's tokens are kept (see auth-routes.ts). */
  tokenStore: TokenStore;
  viewer: (req: Request, res: Response) => Viewer;
  requireSignIn: express.RequestHandler;
  refuseCrossSite: express.RequestHandler;
  renderError: (req: Request, res: Response, view: ErrorView) => void;
}

/** A progress update waiting for `objective:write`; it travels in the sign-in's `state`. */
interface PendingProgress {
  objective: number;
  value: number;
  /** Who asked for it: the update is applied only if the same person comes back from 7Geese. */
  person: string;
}

type ProgressRequest = Request<{ id: string }, unknown, { progress?: unknown } | undefined>;

function isPending(value: unknown): value is PendingProgress {
  const p = value as PendingProgress | undefined;
  return typeof p === 'object' && p !== null && Number.isSafeInteger(p.objective) && Number.isSafeInteger(p.value) && typeof p.person === 'string';
}

/** The update a form asked for, or undefined when it is not a whole percentage of a numbered objective. */
function progressOf(req: ProgressRequest): { objective: number; value: number } | undefined {
  const id = req.params.id;
  const progress = req.body?.progress;
  if (!/^\d{1,9}$/.test(id) || typeof progress !== 'string' || !/^\d{1,3}$/.test(progress.trim())) return undefined;
  const value = Number(progress.trim());
  return value <= 100 && Number(id) > 0 ? { objective: Number(id), value } : undefined;
}

/**
 * The objectives page, and updating an objective's progress. Reading needs `objective:read`,
 * which the app signs in with; writing needs `objective:write`, which `requireScopes` asks 7Geese
 * for only when someone updates progress (a step-up), then finishes the update on the callback.
 */
export function objectiveRoutes(deps: ObjectiveDeps): express.Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '10kb' });

  router.get('/objectives', deps.requireSignIn, async (req, res) => {
    try {
      const objectives = await loadObjectives(req, deps.strategyOf(req), deps.tokenStore);
      const updated = typeof req.query.updated === 'string' && /^\d{1,9}$/.test(req.query.updated) ? { updated: Number(req.query.updated) } : undefined;
      res.type('html').send(objectivesPage(deps.viewer(req, res), objectives, updated));
    } catch (err) {
      deps.renderError(req, res, errorView(err, '/objectives'));
    }
  });

  const signedIn = (req: Request, res: Response, next: NextFunction) => {
    // A form's POST cannot be repeated after signing in: sign in, then come back to the page.
    if (req.user) return next();
    res.redirect(303, '/auth/7geese?returnTo=%2Fobjectives');
  };
  const valid = (req: ProgressRequest, res: Response, next: NextFunction) => {
    if (progressOf(req)) return next();
    deps.renderError(req, res, { status: 400, title: 'Progress not saved', message: 'Progress is a whole number from 0 to 100.', retry: '/objectives' });
  };
  const stepUp = requireScopes(['objective:write'], {
    passport: deps.passport,
    granted: (req: ProgressRequest) => req.session.grant?.scopes,
    // Back to the form's page, never to a URL taken from the request.
    returnTo: () => '/objectives',
    state: (req: ProgressRequest) => ({ progress: { ...progressOf(req)!, person: userOf(req)!.id } satisfies PendingProgress }),
  });

  router.post('/objectives/:id/progress', form, deps.refuseCrossSite, signedIn, valid, stepUp, async (req: ProgressRequest, res: Response) => {
    const { objective, value } = progressOf(req)!;
    try {
      await updateProgress(req, deps.strategyOf(req), deps.tokenStore, objective, value);
      res.redirect(303, `/objectives?updated=${objective}`);
    } catch (err) {
      deps.renderError(req, res, errorView(err, '/objectives'));
    }
  });
  return router;
}

/**
 * Finishes a progress update that waited for a step-up, on the callback, once the person is
 * signed in again with `objective:write`. The update is in the sign-in's `state` (kept
 * server-side with the pending sign-in), so it is applied at most once, and only for the person
 * who asked for it. Returns false when the state holds no update.
 */
export function resumeProgress(deps: Pick<ObjectiveDeps, 'strategyOf' | 'tokenStore' | 'renderError'>) {
  return (req: Request, res: Response, state: Record<string, unknown>, before: SignedInUser | undefined): boolean => {
    const pending = state.progress;
    if (!isPending(pending)) return false;
    const now = userOf(req);
    if (!before || before.id !== pending.person || now?.id !== pending.person) {
      deps.renderError(req, res, {
        status: 409,
        title: 'Progress not saved',
        message: 'You came back from 7Geese as a different person from the one who asked for the update, so it was not saved. You are now signed in as that person.',
        retry: '/objectives',
      });
      return true;
    }
    updateProgress(req, deps.strategyOf(req), deps.tokenStore, pending.objective, pending.value).then(
      () => res.redirect(`/objectives?updated=${pending.objective}`),
      (err: unknown) => deps.renderError(req, res, errorView(err, '/objectives')),
    );
    return true;
  };
}
