'use strict';

const express = require('express');
const session = require('express-session');
const passport = require('passport');
const SevenGeeseStrategy = require('passport-7geese').Strategy;

function escapeHTML(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The app, configured with the 7Geese application's credentials:
 * { clientID, clientSecret, callbackURL, baseURL, sessionSecret }.
 */
function createApp(config) {
  passport.use(
    new SevenGeeseStrategy(
      {
        clientID: config.clientID,
        clientSecret: config.clientSecret,
        callbackURL: config.callbackURL,
        baseURL: config.baseURL,
        scope: ['userprofile:read'],
      },
      function verify(accessToken, refreshToken, profile, done) {
        done(null, { id: profile.id, displayName: profile.displayName, email: profile.emails[0] && profile.emails[0].value });
      },
    ),
  );
  passport.serializeUser(function (user, done) {
    done(null, user);
  });
  passport.deserializeUser(function (user, done) {
    done(null, user);
  });

  const app = express();
  app.use(session({ secret: config.sessionSecret, resave: false, saveUninitialized: false }));
  app.use(passport.authenticate('session'));

  app.get('/', function (req, res) {
    if (!req.user) return res.send('<a href="/login/7geese">Sign in with 7Geese</a>');
    res.send(`<p>Signed in as ${escapeHTML(req.user.displayName)} (${escapeHTML(req.user.email)})</p>`);
  });
  app.get('/login', function (req, res) {
    const messages = req.session.messages || [];
    req.session.messages = [];
    res.status(401).send(`<h1>Sign-in failed</h1><p>${messages.map(escapeHTML).join('<br>')}</p><a href="/login/7geese">Try again</a>`);
  });
  app.get('/login/7geese', passport.authenticate('7geese'));
  app.get(
    '/auth/7geese/callback',
    passport.authenticate('7geese', { successRedirect: '/', failureRedirect: '/login', failureMessage: true }),
  );
  return app;
}

module.exports = { createApp };
