import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy, type Profile } from 'passport-7geese';
import { sevenGeeseOptions } from './seven-geese.options.js';
import type { SignedInUser } from './signed-in-user.js';

/** "Sign in with 7Geese", with the profile form of verify. */
@Injectable()
export class SevenGeeseStrategy extends PassportStrategy(Strategy, '7geese') {
  constructor() {
    super(sevenGeeseOptions('/auth/7geese/callback'));
  }

  validate(accessToken: string, refreshToken: string | undefined, profile: Profile): SignedInUser {
    return { id: profile.id, displayName: profile.displayName, email: profile.emails[0]?.value, scopes: undefined };
  }
}
