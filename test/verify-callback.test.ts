import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Request } from 'express';
import { startSimulator, type Simulator } from '../src/testing/index.js';
import type { Profile, VerifyDone, VerifyFunction, VerifyParams } from '../src/index.js';
import { createHarness, signIn } from './helpers/harness.js';

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(async () => {
  await sim.close();
});

async function outcome(verify: VerifyFunction<'profile' | 'params'>, options: Record<string, unknown> = {}) {
  const h = createHarness(sim, options, verify);
  const res = await signIn(sim, h.agent, sim.users[0]!.id);
  const me = await h.agent.get('/me');
  const login = res.headers.location === '/login' ? (await h.agent.get('/login')).body.messages : undefined;
  return { status: res.status, location: res.headers.location as string | undefined, error: res.body?.error, user: me.body.user, messages: login };
}

describe('the verify callback', () => {
  it("takes passport-oauth2's four-argument signature", async () => {
    const r = await outcome((_a: string, _r: string | undefined, profile: Profile, done: VerifyDone) => done(null, { id: profile.id }));
    expect(r.user).toEqual({ id: String(sim.users[0]!.id) });
  });

  it("takes passport-oauth2's five-argument signature with params", async () => {
    const r = await outcome((_a: string, _r: string | undefined, params: VerifyParams, profile: Profile, done: VerifyDone) =>
      done(null, { id: profile.id, scopes: params.scopes }),
    );
    expect(r.user).toEqual({ id: String(sim.users[0]!.id), scopes: ['userprofile:read'] });
  });

  it('may be an async function returning the user', async () => {
    const r = await outcome(async (_a: string, _r: string | undefined, profile: Profile) => ({ id: profile.id, via: 'async' }));
    expect(r.user).toEqual({ id: String(sim.users[0]!.id), via: 'async' });
  });

  it('may be an async function taking params', async () => {
    const r = await outcome(async (_a: string, _r: string | undefined, params: VerifyParams, profile: Profile, _done: VerifyDone) => ({ id: profile.id, exp: typeof params.expiresAt }));
    expect(r.user).toEqual({ id: String(sim.users[0]!.id), exp: 'object' });
  });

  it('fails the sign-in when an async function returns false', async () => {
    const r = await outcome(async () => false);
    expect(r.location).toBe('/login');
    expect(r.user).toBeNull();
    expect(r.messages).toEqual(['The application did not accept this 7Geese account.']);
  });

  it('fails with the message given to done', async () => {
    const r = await outcome((_a: string, _r: string | undefined, _p: Profile, done: VerifyDone) => done(null, false, { message: 'Not in our company.' }));
    expect(r.messages).toEqual(['Not in our company.']);
  });

  it('turns a thrown error into an error, not a crash', async () => {
    const r = await outcome(() => {
      throw new Error('database down');
    });
    expect(r.status).toBe(502);
    expect(r.error.message).toBe('database down');
    expect(r.user).toBeNull();
  });

  it('turns a rejected promise into an error, never an unhandled rejection', async () => {
    const r = await outcome(async () => {
      throw new Error('lookup failed');
    });
    expect(r.status).toBe(502);
    expect(r.error.message).toBe('lookup failed');
  });

  it('gets the request first under passReqToCallback, in both styles', async () => {
    const h = createHarness(
      sim,
      { passReqToCallback: true },
      (async (req: Request, _a: string, _r: string | undefined, profile: Profile) => ({ id: profile.id, path: req.path })) as unknown as VerifyFunction,
    );
    await signIn(sim, h.agent, sim.users[0]!.id);
    expect((await h.agent.get('/me')).body.user).toEqual({ id: String(sim.users[0]!.id), path: '/auth/7geese/callback' });

    const h2 = createHarness(
      sim,
      { passReqToCallback: true },
      ((req: Request, _a: string, _r: string | undefined, params: VerifyParams, profile: Profile, done: VerifyDone) =>
        done(null, { id: profile.id, hasReq: typeof req.get === 'function', scopes: params.scopes })) as unknown as VerifyFunction,
    );
    await signIn(sim, h2.agent, sim.users[0]!.id);
    expect((await h2.agent.get('/me')).body.user).toEqual({ id: String(sim.users[0]!.id), hasReq: true, scopes: ['userprofile:read'] });
  });
});
