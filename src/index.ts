export { Strategy } from './strategy.js';
export type { StrategyOptions, StrategyOptionsWithRequest } from './strategy.js';
export { PasswordStrategy, PASSWORD_MESSAGES } from './password-strategy.js';
export type { PasswordStrategyOptions, PasswordStrategyOptionsWithRequest } from './password-strategy.js';
export { SevenGeeseClient } from './api-client.js';
export type { SevenGeeseClientOptions, TokenRefresher } from './api-client.js';
export type { PaginateOptions } from './pages.js';
export type { CommonOptions } from './options.js';
export { SCOPE_RESOURCES, normalizeScope } from './scope.js';
export type { Scope, ScopeAccess, ScopeInput, ScopeResource } from './scope.js';
export type { Profile } from './profile.js';
export { requireScopes } from './step-up.js';
export type { RequireScopesOptions, StepUpAuthenticateOptions, StepUpPassport, StepUpRequest } from './step-up.js';
export { SessionStateStore } from './state-store.js';
export type { SessionStateStoreOptions } from './state-store.js';
export type { OAuth2StateStore, PendingSignIn, SignInStore } from './pending-sign-in.js';
export { SIGN_IN_FAILURES, STATE_MESSAGES } from './failures.js';
export type { SignInFailure, SignInFailureCode } from './failures.js';
export type { StrategyRequest } from './host-request.js';
export { CookieStateStore } from './cookie-state-store.js';
export type { CookieStateStoreOptions } from './cookie-state-store.js';
export type { TokenParams, ClientAuth } from './oauth2-client.js';
export { CHANNELS } from './diagnostics.js';
export type { RequestEvent, RequestOperation, SignInEvent, TokenEvent } from './diagnostics.js';
export type { TokenSet, RefreshOptions, RevokeOptions } from './oauth2-client.js';
export type {
  VerifyParams,
  VerifyDone,
  VerifyFunction,
  VerifyFunctionWithRequest,
  ProfileVerifyFunction,
  ProfileVerifyFunctionWithRequest,
  ParamsVerifyFunction,
  ParamsVerifyFunctionWithRequest,
  AsyncVerifyResult,
  VerifiedUser,
} from './verify.js';
export type { ProfileDone } from './sign-in-flow.js';
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
export type { ErrorFields, SevenGeeseErrorCode } from './errors.js';
export { MemoryTokenStore, toStoredTokens } from './token-store.js';
export type { TokenStore, StoredTokens, MemoryTokenStoreOptions } from './token-store.js';
export { RedisTokenStore } from './redis-token-store.js';
export type { RedisTokenStoreOptions, RedisScriptClient } from './redis-token-store.js';
export { getAccessToken } from './access-token.js';
export type { GetAccessTokenOptions, AccessTokenRefresher } from './access-token.js';
export { SevenGeeseTokenStoreError } from './token-store-error.js';
export type { TokenStoreErrorCode } from './token-store-error.js';
