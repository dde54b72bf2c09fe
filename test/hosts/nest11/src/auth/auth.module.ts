import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { AuthController } from './auth.controller';
import { SessionSerializer } from './session.serializer';
import { SevenGeeseParamsStrategy } from './seven-geese-params.strategy';
import { SevenGeeseStrategy } from './seven-geese.strategy';

@Module({
  imports: [PassportModule.register({ session: true })],
  controllers: [AuthController],
  providers: [SevenGeeseStrategy, SevenGeeseParamsStrategy, SessionSerializer],
})
export class AuthModule {}
