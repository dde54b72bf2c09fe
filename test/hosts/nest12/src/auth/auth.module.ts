import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { AuthController } from './auth.controller.js';
import { SessionSerializer } from './session.serializer.js';
import { SevenGeeseParamsStrategy } from './seven-geese-params.strategy.js';
import { SevenGeeseStrategy } from './seven-geese.strategy.js';

@Module({
  imports: [PassportModule.register({ session: true })],
  controllers: [AuthController],
  providers: [SevenGeeseStrategy, SevenGeeseParamsStrategy, SessionSerializer],
})
export class AuthModule {}
