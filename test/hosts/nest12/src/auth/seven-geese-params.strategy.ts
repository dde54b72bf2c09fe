import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy, type Profile, type VerifyParams } from 'passport-7geese';
import { sevenGeeseOptions } from './seven-geese.options.js';
import type { SignedInUser } from './signed-in-user.js';

/**
 * The same sign-in with the token response (`params`) as well: `callbackArity: true` makes the
 * mixin's callback declare validate's parameters plus done, which asks for the params form.
 */
@Injectable()
export class SevenGeeseParamsStrategy extends PassportStrategy(Strategy, '7geese-params', true) {
  constructor() {
    super(sevenGeeseOptions('/auth/7geese-params/callback'));
  }

  validate(accessToken: string, refreshToken: string | undefined, params: VerifyParams, profile: Profile): SignedInUser {
    return { id: profile.id, displayName: profile.displayName, email: profile.emails[0]?.value, scopes: params.scopes };
  }
}
