import 'reflect-metadata';
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  type DocumentNode,
  GraphQLError,
  getOperationAST,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { WebSocketServer } from 'ws';
import { artifactRouter } from '../artifacts/artifact.router.js';
import { ArtifactService, DEFAULT_MAX_ARTIFACT_BYTES } from '../artifacts/artifact.service.js';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import { AuthService } from '../auth/auth.service.js';
import { clientAddressResolver } from '../auth/client-address.js';
import type { AuthLimits } from '../auth/rate-limit.js';
import { Authorizer } from '../authz/authorization.js';
import type { Caller } from '../authz/caller.js';
import { Db } from '../common/db.js';
import { isAccessDenial } from '../common/errors.js';
import { createLogger, type Logger } from '../common/logger.js';
import { settleWithin } from '../common/time.js';
import { Role } from '../db/index.js';
import { InsightsService } from '../insights/insights.service.js';
import { createOpsRouter, opsMetrics, requestLogging } from '../ops/index.js';
import { sequenceTrialEvents } from '../pubsub/event-log.js';
import {
  CLOSE_TOO_MANY,
  CLOSE_TRY_AGAIN,
  LiveConnections,
  type LiveCredential,
  type LiveLimits,
} from '../pubsub/live-connections.js';
import { createApiPubSub } from '../pubsub/pubsub.js';
import { METRIC_FLUSH_MS } from '../pubsub/subscription.resolver.js';
import { StudyService } from '../study/study.service.js';
import { Suggester } from '../suggest/suggester.js';
import { TeamService } from '../team/team.service.js';
import { TrialService } from '../trial/trial.service.js';
import { type Context, createLoaders, SESSION_COOKIE, type Services } from './context.js';
import { formatError } from './errors.js';
import { graphqlFastPath } from './graphql-http.js';
import { HttpDrain } from './http-drain.js';
import {
  costError,
  depthLimit,
  MAX_COST,
  MAX_RESPONSE_BYTES,
  operationCost,
  responseTooLarge,
  selectionLimit,
} from './limits.js';
import { getSchema } from './schema.js';

export interface ApiServerOptions {
  /** An initialized, migrated DataSource (see `createDataSource`, `startDatabase`). */
  dataSource: DataSource;
  /** POSTERIOR_DATA_DIR: artifacts are stored under `<dataDir>/artifacts`. */
  dataDir: string;
  /** 0 picks a free port. Default 4000. */
  port?: number;
  host?: string;
  logger?: Logger;
  /** How often this process looks for stale RUNNING trials (default 2000 ms; 0 disables). */
  reaperIntervalMs?: number;
  maxArtifactBytes?: number;
  /** Bytes of artifacts one team may store in all (default 20 GiB; POSTERIOR_ARTIFACT_QUOTA_BYTES). */
  teamArtifactQuotaBytes?: number;
  /** Where artifact bytes go (default: `<dataDir>/artifacts` on disk); tests inject failing ones. */
  artifactStore?: ArtifactStore;
  /** Worker threads for GP suggestions and insights (default: cores - 1, at least 1). */
  suggestionThreads?: number;
  /** Browser origins allowed to call the API with cookies (the dashboard). */
  corsOrigins?: readonly string[];
  /** Set the Secure flag on session cookies (behind HTTPS). */
  secureCookies?: boolean;
  /** Largest JSON request body (default 4 MB: 10,000 metric points fit). */
  maxBodyBytes?: number;
  /** How often open WebSockets' credentials are re-checked in the database (default 30 s; 0: never). */
  liveRecheckMs?: number;
  /**
   * Proxies whose X-Forwarded-For names the end client (addresses, CIDRs, `loopback`...; default
   * loopback: the dashboard's proxy). See auth/client-address.ts.
   */
  trustedProxies?: readonly string[];
  /** Log-in and sign-up budgets (default DEFAULT_AUTH_LIMITS). */
  authLimits?: Partial<AuthLimits>;
  /**
   * Where Prometheus `/metrics` is served: on its own `port` (not on the API's), or on the API's
   * port to `Authorization: Bearer <token>`. Neither: on the API's port to loopback peers only.
   */
  metrics?: { port?: number; token?: string };
  /** GraphQL introspection and field suggestions in errors (default true; off in production). */
  introspection?: boolean;
  /** Open sockets and subscriptions per user or token, per process (default DEFAULT_LIVE_LIMITS). */
  liveLimits?: Partial<LiveLimits>;
}

export interface ApiServer {
  /** http://host:port/graphql */
  url: string;
  /** ws://host:port/graphql */
  wsUrl: string;
  /** http://host:port (artifacts at /artifacts) */
  baseUrl: string;
  port: number;
  services: Services;
  /** Drains HTTP and WebSocket clients, stops the reaper, the LISTEN connection and the worker threads. */
  close(): Promise<void>;
}

/** How long requests in flight may take to finish once shutdown starts; then they are cut. */
const HTTP_GRACE_MS = 10_000;
/**
 * After the last events reach this process: time for the streams to write them (the metric
 * stream coalesces for METRIC_FLUSH_MS; a trial row too large for NOTIFY is read back first).
 */
const STREAM_SETTLE_MS = METRIC_FLUSH_MS + 50;
/** How long WebSocket clients get to answer the close frame before their sockets are destroyed. */
const SOCKET_GRACE_MS = 3000;

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const key = part.slice(0, i).trim();
    try {
      out[key] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // A malformed cookie is no credential.
    }
  }
  return out;
}

/** `Authorization: Bearer <secret>` first, then the dashboard's httpOnly cookie. */
function credentialOf(authorization: unknown, cookieHeader: string | undefined): string | null {
  if (typeof authorization === 'string' && authorization.trim() !== '') {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    return m?.[1] ?? authorization.trim();
  }
  return parseCookies(cookieHeader)[SESSION_COOKIE] ?? null;
}

/** A request straight from this machine (no proxy in between that could be relaying anyone). */
function isLoopbackPeer(req: IncomingMessage): boolean {
  const peer = req.socket.remoteAddress ?? '';
  const loopback = peer === '::1' || peer.startsWith('127.') || peer.startsWith('::ffff:127.');
  return loopback && req.headers['x-forwarded-for'] === undefined && req.headers.forwarded === undefined;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? '');
  const given = createHash('sha256')
    .update(m?.[1] ?? '')
    .digest();
  return timingSafeEqual(given, createHash('sha256').update(token).digest());
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

/** Replaces a GraphQL response body larger than `max` bytes with an error. */
function capResponse(max: number) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const send = res.send.bind(res);
    res.send = (body?: unknown) =>
      send(
        typeof body === 'string' && body.length > max / 4 && Buffer.byteLength(body) > max
          ? responseTooLarge(max)
          : body,
      );
    next();
  };
}

function pgClientConfig(dataSource: DataSource): pg.ClientConfig {
  const o = dataSource.options as {
    url?: string;
    host?: string;
    port?: number;
    username?: string;
    password?: string | (() => string | Promise<string>);
    database?: string;
  };
  return {
    connectionString: o.url,
    host: o.host,
    port: o.port,
    user: o.username,
    password: typeof o.password === 'string' ? o.password : undefined,
    database: o.database,
    application_name: 'posterior-listen',
  };
}

export async function createApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const logger = options.logger ?? createLogger();
  const db = Db.fromDataSource(options.dataSource);
  const pubsub = createApiPubSub({
    clientConfig: pgClientConfig(options.dataSource),
    notify: (channel, payloads) =>
      db.pool.query(`SELECT ${payloads.map((_, i) => `pg_notify($1, $${i + 2})`).join(', ')}`, [
        channel,
        ...payloads,
      ]),
    logger,
    sequence: sequenceTrialEvents(db),
  });
  const suggester = new Suggester(logger, options.suggestionThreads);
  const authz = new Authorizer(db);
  const artifacts = new ArtifactService(
    db,
    options.dataDir,
    options.maxArtifactBytes ?? DEFAULT_MAX_ARTIFACT_BYTES,
    options.teamArtifactQuotaBytes,
    options.artifactStore,
  );
  const studies = new StudyService(db, authz, (ids) => artifacts.removeFiles(ids));
  const trials = new TrialService(db, suggester, pubsub, logger);
  const auth = new AuthService(
    db,
    (revoked) => pubsub.publishAuthChanged(revoked),
    undefined,
    options.authLimits,
  );
  const clientKeyOf = clientAddressResolver(options.trustedProxies);
  const live = new LiveConnections({
    stillValid: (hashes) => auth.stillValid(hashes),
    canRead: (caller, studyId) =>
      studies.access(caller, studyId, Role.VIEWER).then(
        () => true,
        (error: unknown) => {
          if (isAccessDenial(error)) return false;
          throw error;
        },
      ),
    reauthenticate: (credential) => auth.reauthenticate(credential.caller.kind, credential.hash),
    ...(options.liveLimits ? { limits: options.liveLimits } : {}),
    logger,
    ...(options.liveRecheckMs === undefined ? {} : { recheckMs: options.liveRecheckMs }),
  });
  // Revocations and membership changes come back through the pubsub to every process, this one
  // included: each closes its own sockets that the change affects.
  pubsub.onAuthChanged(({ revoked }) => {
    auth.invalidate();
    live.revoke(revoked);
  });
  // A membership change also changes what that user's API tokens may do: no cached caller survives it.
  pubsub.onMembershipChanged(({ userId }) => {
    auth.invalidate();
    void live.membershipChanged(userId);
  });
  const services: Services = {
    db,
    logger,
    authz,
    auth,
    teams: new TeamService(
      db,
      (revoked) => auth.credentialsChanged(revoked),
      (teamId, userId) => {
        auth.invalidate();
        pubsub.publishMembershipChanged({ teamId, userId });
      },
    ),
    studies,
    trials,
    insights: new InsightsService(db, suggester, logger),
    artifacts,
    pubsub,
    live,
  };
  const schema = await getSchema();
  const authenticate = async (credential: string | null): Promise<Caller | null> =>
    credential === null ? null : services.auth.authenticate(credential);

  const app = express();
  app.disable('x-powered-by');
  const introspection = options.introspection ?? true;
  const allowedOrigins = new Set(options.corsOrigins ?? ['http://localhost:3000', 'http://127.0.0.1:3000']);
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  // Assigned once Apollo has started; no request reaches the server before it listens.
  let fastPath: ((req: IncomingMessage, res: ServerResponse) => boolean) | null = null;
  // Around everything, the bearer-token fast path included: every request gets an id (echoed in
  // X-Request-Id), is timed in the HTTP histogram, and logs one line; GraphQL POSTs and probes at
  // debug (a worker fleet makes hundreds a second), failures and slow requests at warn.
  const logRequest = requestLogging({
    logger,
    metrics: opsMetrics,
    quietPaths: ['/graphql', '/healthz', '/readyz', '/metrics'],
  });
  const httpServer: Server = createServer((req, res) =>
    logRequest(req, res, () => {
      if (fastPath?.(req, res) !== true) app(req, res);
    }),
  );
  // noServer: upgrades are routed here by hand, so the HTTP server's own errors (a port in use)
  // stay the HTTP server's and are not re-reported by graphql-ws as WebSocket failures.
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const httpDrain = new HttpDrain(httpServer);
  httpServer.on('upgrade', (request, socket, head) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/graphql') {
      socket.destroy();
      return;
    }
    wsServer.handleUpgrade(request, socket, head, (ws) => wsServer.emit('connection', ws, request));
  });

  const wsCleanup = useServer<Record<string, unknown>, { caller?: Caller }>(
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
        if (viaCookie && origin !== undefined && !allowedOrigins.has(origin)) return false;
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
      context: (ctx): Context => ({
        caller: live.callerOf(ctx.extra.socket),
        services,
        clientKey: clientKeyOf(ctx.extra.request),
        http: null,
        secureCookies: options.secureCookies ?? false,
        loaders: createLoaders(services, { live: true }),
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

  const costPlugin: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      const started = performance.now();
      return {
        async didResolveOperation({ request, document, operation }) {
          // Cost guards reads, where pages multiply; a mutation's work is its own input (bounded by
          // body size and per-call caps), and costing it would coerce its variables twice
          // (thousands of metric points per report).
          if (operation?.operation === 'mutation') return;
          const cost = operationCost(schema, document, request.variables, request.operationName);
          if (cost > MAX_COST) throw costError(cost);
        },
        // One structured line per operation (debug: a worker loop makes thousands a second).
        async willSendResponse({ operationName, response, contextValue }) {
          if (!logger.isLevelEnabled('debug')) return;
          const body = response.body;
          const errors = body.kind === 'single' ? (body.singleResult.errors?.length ?? 0) : 0;
          logger.debug(
            {
              operation: operationName ?? null,
              ms: Math.round((performance.now() - started) * 10) / 10,
              errors,
              caller: contextValue.caller?.kind ?? 'anonymous',
            },
            'graphql',
          );
        },
      };
    },
  };

  const apollo = new ApolloServer<Context>({
    schema,
    introspection,
    // No "Did you mean ...?" naming fields a client did not ask for, when introspection is off.
    hideSchemaDetailsFromClientErrors: !introspection,
    includeStacktraceInErrorResponses: false,
    // The host process owns shutdown (it calls close()); Apollo's own handlers would re-raise the
    // signal and kill the process before the database and workers are stopped.
    stopOnTerminationSignals: false,
    validationRules: [depthLimit(), selectionLimit()],
    formatError: (formatted, error) => formatError(logger, formatted, error),
    plugins: [
      // The default cache-control plugin wraps every resolver to compute cache hints that no
      // response here uses (nothing caches POSTed GraphQL).
      ApolloServerPluginCacheControlDisabled(),
      costPlugin,
    ],
  });
  await apollo.start();
  fastPath = graphqlFastPath({
    apollo,
    app,
    maxBodyBytes,
    logger,
    context: async (req, http): Promise<Context> => ({
      caller: await authenticate(credentialOf(req.headers.authorization, undefined)),
      services,
      clientKey: clientKeyOf(req),
      // Apollo copies the context (Object.assign), which would run a getter here on every request.
      http: {
        get req() {
          return http().req;
        },
        get res() {
          return http().res;
        },
      },
      secureCookies: options.secureCookies ?? false,
      loaders: createLoaders(services),
      live: null,
    }),
  });

  app.use((req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin && allowedOrigins.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
      res.setHeader(
        'Access-Control-Allow-Headers',
        'authorization, content-type, x-filename, apollo-require-preflight',
      );
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
    }
    next();
  });
  // Probes and metrics (/healthz, /readyz, /metrics): before auth, they carry no credentials.
  let draining = false;
  const metricsToken = options.metrics?.token;
  app.use(
    createOpsRouter({
      dataSource: options.dataSource,
      isDraining: () => draining,
      artifactStore: () => services.artifacts.health(),
      // /metrics carries per-tenant trial counts: not public on the API's listener.
      metricsAllowed: (req) =>
        options.metrics?.port === undefined &&
        (metricsToken === undefined
          ? isLoopbackPeer(req)
          : bearerMatches(req.headers.authorization, metricsToken)),
    }),
  );
  app.use(
    '/artifacts',
    artifactRouter(
      services.artifacts,
      (req) => authenticate(credentialOf(req.headers.authorization, req.headers.cookie)),
      logger,
    ),
  );
  app.use(
    '/graphql',
    express.json({ limit: maxBodyBytes }),
    capResponse(MAX_RESPONSE_BYTES),
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<Context> => ({
        caller: await authenticate(credentialOf(req.headers.authorization, req.headers.cookie)),
        services,
        clientKey: clientKeyOf(req),
        http: { req, res },
        secureCookies: options.secureCookies ?? false,
        loaders: createLoaders(services),
        live: null,
      }),
    }),
  );
  // Body-parser and routing failures: a JSON answer with the right status, never a stack trace.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: unknown }).status;
    const code = typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
    if (code === 500) logger.error({ err: error }, 'request failed');
    const message =
      code === 413 ? 'request body too large' : code === 500 ? 'internal server error' : 'malformed request';
    if (!res.headersSent)
      res.status(code).json({
        errors: [{ message, extensions: { code: code === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }],
      });
  });

  try {
    await pubsub.whenListening();
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port ?? 4000, options.host ?? '0.0.0.0', () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // A port in use or an unreachable database: release what was started, then report.
    await apollo.stop().catch(() => undefined);
    live.close();
    await pubsub.close().catch(() => undefined);
    await suggester.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw error;
  }
  const port = (httpServer.address() as AddressInfo).port;
  let metricsServer: Server | null = null;
  if (options.metrics?.port !== undefined) {
    const metricsApp = express();
    metricsApp.disable('x-powered-by');
    metricsApp.use(createOpsRouter({ dataSource: options.dataSource, metricsOnly: true }));
    metricsServer = createServer(metricsApp);
    const server = metricsServer;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.metrics?.port, options.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
  }
  const shownHost = !options.host || options.host === '0.0.0.0' ? 'localhost' : options.host;

  const reaperMs = options.reaperIntervalMs ?? 2000;
  let reaping = false;
  const reaper =
    reaperMs > 0
      ? setInterval(() => {
          if (reaping) return;
          reaping = true;
          trials
            .reapStale()
            .catch((error: unknown) => logger.error({ err: error }, 'reaper failed'))
            .finally(() => {
              reaping = false;
            });
        }, reaperMs)
      : null;
  reaper?.unref();

  logger.info({ port }, 'Posterior API listening');
  let closing: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${port}/graphql`,
    wsUrl: `ws://${shownHost}:${port}/graphql`,
    baseUrl: `http://${shownHost}:${port}`,
    port,
    services,
    close() {
      // In this order: requests in flight finish (a tell commits and publishes its event), every
      // event published so far reaches the subscription streams, and only then do WebSockets get
      // 1001, so a subscriber misses nothing that was committed before it was asked to reconnect.
      closing ??= (async () => {
        const started = performance.now();
        const since = () => Math.round(performance.now() - started);
        draining = true;
        if (reaper) clearInterval(reaper);
        const requestsFinished = await httpDrain.stop(HTTP_GRACE_MS);
        const requestsMs = since();
        await pubsub.flush();
        await new Promise((resolve) => setTimeout(resolve, STREAM_SETTLE_MS));
        const eventsMs = since();
        await settleWithin(Promise.resolve(wsCleanup.dispose()), SOCKET_GRACE_MS);
        await httpDrain.closed(SOCKET_GRACE_MS);
        logger.info(
          { requestsMs, requestsFinished, eventsMs, socketsMs: since() },
          'drained: requests answered, events delivered, sockets closed',
        );
        await apollo.stop();
        if (metricsServer) await new Promise((resolve) => metricsServer?.close(resolve));
        live.close();
        await pubsub.close();
        await suggester.close();
        await db.close();
      })();
      return closing;
    },
  };
}
