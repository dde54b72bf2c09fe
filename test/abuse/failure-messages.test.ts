// Passport's `failureMessage: true` pushes a message into the session on every failure and never
// removes any: a script of failed sign-ins must not grow one session without bound.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import request from 'supertest';
import { PasswordStrategy } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/testing/index.js';
import { createHarness, signIn } from '../helpers/harness.js';

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(async () => {
  await sim.close();
});

describe('failure messages in the session', () => {
  it('Strategy keeps the last 5 of 30 failed sign-ins, the newest last', async () => {
    let n = 0;
    const h = createHarness(sim, {}, async () => (n++, false));
    for (let i = 0; i < 30; i++) await signIn(sim, h.agent, 1);
    expect(n).toBe(30);
    const messages = (await h.agent.get('/login')).body.messages as string[];
    expect(messages).toHaveLength(5);
    expect(new Set(messages)).toEqual(new Set(['The application did not accept this 7Geese account.']));
  });

  it('PasswordStrategy keeps the last 5 of 30 wrong passwords', async () => {
    sim.addClient({ clientId: 'msg-pw', clientSecret: 'msg-pw-secret-value', redirectUris: ['http://app.test/cb'] });
    const passport = new Passport();
    passport.use(new PasswordStrategy({ clientID: 'msg-pw', clientSecret: 'msg-pw-secret-value', baseURL: sim.baseURL }, async () => ({ id: 1 })));
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use(session({ secret: 'messages', resave: false, saveUninitialized: false }));
    app.post('/login', passport.authenticate('7geese-password', { failureMessage: true, failureRedirect: '/login' }));
    app.get('/login', (req, res) => res.json({ messages: (req.session as { messages?: string[] }).messages ?? [] }));
    const agent = request.agent(app);
    for (let i = 0; i < 30; i++) await agent.post('/login').type('form').send({ email: 'ada@example.com', password: `guess-${i}` });
    const messages = (await agent.get('/login')).body.messages as string[];
    expect(messages).toHaveLength(5);
    expect(messages.at(-1)).toBe('That 7Geese email and password do not match.');
  });
});
