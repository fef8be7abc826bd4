export type {
  AskInput,
  PageArgs,
  PosteriorApi,
  StudyListArgs,
  StudySort,
  TellAndAskResult,
  TrialPageArgs,
} from './client.js';
export { type ClientOptions, createClient, PosteriorClient } from './client.js';
/** The GraphQL documents the client sends, for callers that must issue the identical request. */
export * as documents from './documents.js';
export {
  type ClientErrorCode,
  type GraphQLErrorCode,
  isPosteriorError,
  PosteriorError,
  type PosteriorErrorCode,
} from './errors.js';
export { backoffDelay, defaultRetryPolicy, type RetryPolicy, sleep, withRetry } from './retry.js';
export type { ConnectionListener, ConnectionState, Sink, Unsubscribe } from './subscriptions.js';
export { baseUrl, type RequestOptions, websocketUrl } from './transport.js';
export * from './types.js';
