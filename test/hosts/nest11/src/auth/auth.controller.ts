import { Controller, Get, Redirect, Req, UnauthorizedException, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { SevenGeeseAuthGuard, SevenGeeseParamsAuthGuard } from './seven-geese.guard';
import type { SignedInUser } from './signed-in-user';

@Controller()
export class AuthController {
  /** Redirects to 7Geese; the guard answers, so the body never runs. */
  @Get('auth/7geese')
  @UseGuards(SevenGeeseAuthGuard)
  signIn(): void {}

  @Get('auth/7geese/callback')
  @UseGuards(SevenGeeseAuthGuard)
  @Redirect('/me')
  callback(): void {}

  @Get('auth/7geese-params')
  @UseGuards(SevenGeeseParamsAuthGuard)
  signInWithParams(): void {}

  @Get('auth/7geese-params/callback')
  @UseGuards(SevenGeeseParamsAuthGuard)
  @Redirect('/me')
  callbackWithParams(): void {}

  @Get('me')
  me(@Req() req: Request): string {
    const user = req.user as SignedInUser | undefined;
    if (!user) throw new UnauthorizedException();
    const scopes = user.scopes ? ` with ${user.scopes.join(' ')}` : '';
    return `Signed in as ${user.displayName} (${user.email})${scopes}`;
  }
}
