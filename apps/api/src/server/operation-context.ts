import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientAddressOf } from '../auth/client-address.js';
import type { Caller } from '../authz/caller.js';
import type { RequestContext } from '../ops/index.js';
import type { LiveSubscriptionScope } from '../pubsub/live-connections.js';
import { type Context, createLoaders, type Services } from './context.js';
import { responseCookies } from './cookies.js';

/** One GraphQL operation's exchange, over HTTP or over a WebSocket. */
export interface Exchange {
  /** The HTTP request, or the WebSocket's upgrade request. */
  req: IncomingMessage;
  /** Over HTTP: where cookies go. Null over WebSocket. */
  res: ServerResponse | null;
  /** Its id and logger (ops/request-context.ts). */
  request: RequestContext;
  /** Authenticated per request over HTTP, once per socket over WebSocket. */
  caller: Caller | null;
  /** Over WebSocket: the socket's scope, so subscriptions register the studies they stream. */
  live: LiveSubscriptionScope | null;
}

export interface ContextDeps {
  services: Services;
  clientKeyOf: ClientAddressOf;
  secureCookies: boolean;
}

/** The one place an operation's context is put together, whatever carried the operation. */
export function contextBuilder({
  services,
  clientKeyOf,
  secureCookies,
}: ContextDeps): (exchange: Exchange) => Context {
  return ({ req, res, request, caller, live }) => ({
    caller,
    services,
    requestId: request.requestId,
    clientKey: clientKeyOf(req),
    cookies: res === null ? null : responseCookies(res),
    secureCookies,
    // A subscription's context lasts as long as its stream: nothing is memoized there.
    loaders: createLoaders(services, { live: live !== null }),
    live,
  });
}
