import { Injectable } from '@nestjs/common';
import { PassportSerializer } from '@nestjs/passport';
import type { SignedInUser } from './signed-in-user.js';

@Injectable()
export class SessionSerializer extends PassportSerializer {
  serializeUser(user: SignedInUser, done: (err: Error | null, user: SignedInUser) => void): void {
    done(null, user);
  }

  deserializeUser(payload: SignedInUser, done: (err: Error | null, user: SignedInUser) => void): void {
    done(null, payload);
  }
}
