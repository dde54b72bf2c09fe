import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';

/** Starts or finishes a sign-in, and keeps the user in the session (Nest's session recipe). */
@Injectable()
export class SevenGeeseAuthGuard extends AuthGuard('7geese') {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const result = (await super.canActivate(context)) as boolean;
    await super.logIn(context.switchToHttp().getRequest<Request>());
    return result;
  }
}

@Injectable()
export class SevenGeeseParamsAuthGuard extends AuthGuard('7geese-params') {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const result = (await super.canActivate(context)) as boolean;
    await super.logIn(context.switchToHttp().getRequest<Request>());
    return result;
  }
}
