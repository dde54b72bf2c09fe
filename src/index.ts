export { Strategy } from './strategy.js';
export type { StrategyOptions } from './strategy.js';
export { PasswordStrategy } from './password-strategy.js';
export type { PasswordStrategyOptions } from './password-strategy.js';
export { SevenGeeseClient } from './api-client.js';
export type { SevenGeeseClientOptions } from './api-client.js';
export type { PaginateOptions } from './pages.js';
export { SCOPE_RESOURCES } from './scope.js';
export type { Scope, ScopeInput } from './scope.js';
export type { Profile } from './profile.js';
export { requireScopes } from './step-up.js';
export type { RequireScopesOptions, StepUpRequest } from './step-up.js';
export { SessionStateStore } from './state-store.js';
export type { SessionStateStoreOptions } from './state-store.js';
export type { OAuth2StateStore, PendingSignIn, SignInStore } from './pending-sign-in.js';
export { SIGN_IN_FAILURES } from './failures.js';
export type { SignInFailure } from './failures.js';
export type { StrategyRequest } from './host-request.js';
export { CookieStateStore } from './cookie-state-store.js';
export type { CookieStateStoreOptions } from './cookie-state-store.js';
export { CHANNELS } from './diagnostics.js';
export type { RequestEvent, SignInEvent, TokenEvent } from './diagnostics.js';
export type { VerifyParams, VerifyDone, VerifyFunction, VerifyFunctionWithRequest } from './verify.js';
export {
  SevenGeeseError,
  SevenGeeseAPIError,
  SevenGeeseAuthorizationError,
  SevenGeeseNetworkError,
  SevenGeeseResponseError,
  SevenGeeseTimeoutError,
  SevenGeeseTokenError,
  SevenGeeseUnavailableError,
} from './errors.js';
export type { SevenGeeseErrorCode } from './errors.js';
export { MemoryTokenStore } from './token-store.js';
export type { TokenSet, TokenStore, MemoryTokenStoreOptions } from './token-store.js';
export { RedisTokenStore } from './redis-token-store.js';
export type { RedisTokenStoreOptions, RedisScriptClient } from './redis-token-store.js';
export { getAccessToken } from './access-token.js';
export type { GetAccessTokenOptions, TokenRefresher } from './access-token.js';
export { SevenGeeseTokenStoreError } from './token-store-error.js';
