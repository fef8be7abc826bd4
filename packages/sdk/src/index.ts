/** The one retry-and-backoff loop (@posterior/core), for clients' own retries (the runner's). */
export { type Backoff, type RetryOptions, retry } from '@posterior/core';
export type {
  AskInput,
  AskOptions,
  InsightOptions,
  PageArgs,
  PosteriorApi,
  StudyListArgs,
  TellAndAskResult,
  TrialEventsOptions,
  TrialPageArgs,
} from './client.js';
export { type ClientOptions, createClient, newRequestKey, PosteriorClient } from './client.js';
/** The dashboard's page views (typed by the generated documents). */
export * as dashboard from './dashboard.js';
/** The GraphQL documents the client sends, for callers that must issue the identical request. */
export * as documents from './documents.js';
export { Endpoints, parseApiUrls } from './endpoints.js';
export {
  type ClientErrorCode,
  type GraphQLErrorCode,
  isPosteriorError,
  PosteriorError,
  type PosteriorErrorCode,
} from './errors.js';
export type { TrialFieldsFragment, TypedDocumentString } from './generated/graphql.js';
export {
  backoffDelay,
  certainlyUndelivered,
  defaultRetryPolicy,
  type RetryPolicy,
  sleep,
  withRetry,
} from './retry.js';
export type {
  ConnectionListener,
  ConnectionState,
  SequencedSink,
  Sink,
  Unsubscribe,
} from './subscriptions.js';
export { baseUrl, type Delivery, type RequestOptions, websocketUrl } from './transport.js';
export * from './types.js';
