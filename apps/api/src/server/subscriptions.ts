import type { IncomingMessage, Server } from 'node:http';
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Caller } from '../authz/caller.js';
import type { Logger } from '../common/logger.js';
import { requestContextFor } from '../ops/index.js';
import { CLOSE_TOO_MANY, CLOSE_TRY_AGAIN, type LiveCredential } from '../pubsub/live-connections.js';
import type { Context, Services } from './context.js';
import { credentialOf } from './credentials.js';
import { formatError } from './errors.js';
import { costError, depthLimit, MAX_COST, operationCost, selectionLimit } from './limits.js';
import type { Exchange } from './operation-context.js';

export interface SubscriptionsOptions {
  httpServer: Server;
  schema: GraphQLSchema;
  services: Services;
  logger: Logger;
  introspection: boolean;
  /** Browser origins allowed to open a socket with the session cookie. */
  isAllowedOrigin: (origin: string) => boolean;
  context: (exchange: Exchange) => Context;
}

/**
 * GraphQL subscriptions over WebSocket (graphql-ws) at /graphql: each socket is authenticated
 * once, when it connects, registered with LiveConnections (which closes it when its credential
 * stops authenticating), and capped per caller. Returns what shuts the sockets down (1001).
 */
export function serveSubscriptions(options: SubscriptionsOptions): { dispose(): Promise<void> | void } {
  const { schema, services, logger, introspection } = options;
  const { auth, live } = services;
  // noServer: upgrades are routed here by hand, so the HTTP server's own errors (a port in use)
  // stay the HTTP server's and are not re-reported by graphql-ws as WebSocket failures.
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  options.httpServer.on('upgrade', (request: IncomingMessage, socket, head) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/graphql') {
      socket.destroy();
      return;
    }
    wsServer.handleUpgrade(request, socket, head, (ws) => wsServer.emit('connection', ws, request));
  });

  return useServer<Record<string, unknown>, { caller?: Caller }>(
    {
      schema,
      validate: (s, document) =>
        hideSchemaDetails(
          validate(s, document, [
            ...specifiedRules,
            depthLimit(),
            selectionLimit(),
            ...(introspection ? [] : [NoSchemaIntrospectionCustomRule]),
          ]),
          !introspection,
        ),
      // The socket carries subscriptions only (queries and mutations go over HTTP, where the same
      // limits apply), and each is costed with its variables before it runs.
      onSubscribe: (_ctx, _id, payload) => {
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch {
          return; // graphql-ws reports the syntax error itself
        }
        const operation = getOperationAST(document, payload.operationName ?? undefined);
        if (operation && operation.operation !== 'subscription') {
          return [
            new GraphQLError('only subscriptions over WebSocket; send queries and mutations over HTTP', {
              extensions: { code: 'BAD_USER_INPUT' },
            }),
          ];
        }
        const cost = operationCost(schema, document, payload.variables ?? undefined, payload.operationName);
        return cost > MAX_COST ? [costError(cost)] : undefined;
      },
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const bearer = params.authorization ?? params.Authorization;
        const credential = credentialOf(bearer, ctx.extra.request.headers.cookie);
        const socket = ctx.extra.socket;
        // A browser sends the cookie to any page's WebSocket: with cookie auth, only the allowed
        // origins may open one (a bearer secret in the connection params cannot be ridden on).
        const origin = ctx.extra.request.headers.origin;
        const viaCookie = !(typeof bearer === 'string' && bearer.trim() !== '');
        if (viaCookie && origin !== undefined && !options.isAllowedOrigin(origin)) return false;
        let found: LiveCredential | null;
        try {
          found = credential === null ? null : await auth.authenticateLive(credential);
        } catch (error) {
          // The lookup failed (database unreachable while starting or restarting, a pool error):
          // that is no verdict on the credential. 4403 would end the client for good (the SDK never
          // retries it); 1013 makes it reconnect. graphql-ws's own close after `false` is then a
          // no-op on a closing socket.
          logger.warn({ err: error }, 'WebSocket credential check failed; asking the client to reconnect');
          socket.close(CLOSE_TRY_AGAIN, 'credential check unavailable; try again');
          return false;
        }
        if (found === null) return false;
        // Closed while the lookup ran: its close event has fired already and would never unregister it.
        if (socket.readyState !== socket.OPEN) return false;
        if (!live.admitSocket(found.caller)) {
          socket.close(
            CLOSE_TOO_MANY,
            `at most ${live.limits.socketsPerCaller} open sockets per user or token`,
          );
          return false;
        }
        live.add(socket, found, (code, reason) => socket.close(code, reason));
        socket.once('close', () => live.remove(socket));
        return true;
      },
      context: (ctx): Context =>
        options.context({
          req: ctx.extra.request,
          res: null,
          request: requestContextFor(ctx.extra.request, logger),
          caller: live.callerOf(ctx.extra.socket),
          live: live.scope(ctx.extra.socket),
        }),
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors) return result;
        return {
          ...result,
          errors: result.errors.map((e) => formatError(logger, e.toJSON(), e) as unknown as GraphQLError),
        };
      },
    },
    wsServer,
  );
}

/** Strips graphql-js's "Did you mean ...?" hints, which name fields of the schema. */
function hideSchemaDetails(errors: readonly GraphQLError[], hide: boolean): readonly GraphQLError[] {
  if (!hide) return errors;
  return errors.map((e) =>
    / Did you mean .+\?$/.test(e.message)
      ? new GraphQLError(e.message.replace(/ Did you mean .+\?$/, ''), {
          nodes: e.nodes,
          extensions: e.extensions,
        })
      : e,
  );
}
