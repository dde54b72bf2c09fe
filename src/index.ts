export { Strategy, DENIED_MESSAGE } from './strategy.js';
export type { StrategyOptions, StrategyOptionsWithRequest } from './strategy.js';
export { PasswordStrategy, PASSWORD_MESSAGES } from './password-strategy.js';
export type { PasswordStrategyOptions, PasswordStrategyOptionsWithRequest } from './password-strategy.js';
export { SevenGeeseClient } from './api-client.js';
export type { SevenGeeseClientOptions, TokenRefresher } from './api-client.js';
export type { CommonOptions } from './options.js';
export { SCOPE_RESOURCES, normalizeScope } from './scope.js';
export type { Scope, ScopeAccess, ScopeInput, ScopeResource } from './scope.js';
export type { Profile } from './profile.js';
export { SessionStateStore, STATE_MESSAGES } from './state-store.js';
export type { PKCEStateStore } from './state-store.js';
export { CookieStateStore } from './cookie-state-store.js';
export type { CookieStateStoreOptions } from './cookie-state-store.js';
export type { TokenParams, ClientAuth } from './oauth2-client.js';
export { CHANNELS } from './diagnostics.js';
export type { RequestEvent, RequestOperation, SignInEvent, TokenEvent } from './diagnostics.js';
export type { TokenSet, RefreshOptions, RevokeOptions } from './token-lifecycle.js';
export type {
  VerifyParams,
  VerifyDone,
  VerifyFunction,
  VerifyFunctionWithRequest,
  ProfileVerifyFunction,
  ProfileVerifyFunctionWithRequest,
  AsyncVerifyResult,
} from './verify.js';
export {
  SevenGeeseError,
  SevenGeeseAPIError,
  SevenGeeseNetworkError,
  SevenGeeseResponseError,
  SevenGeeseTimeoutError,
  SevenGeeseTokenError,
  SevenGeeseUnavailableError,
} from './errors.js';
export type { SevenGeeseErrorCode } from './errors.js';
