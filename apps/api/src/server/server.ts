import 'reflect-metadata';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import { type DocumentNode, GraphQLError, getOperationAST, parse, specifiedRules, validate } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { WebSocketServer } from 'ws';
import { artifactRouter } from '../artifacts/artifact.router.js';
import { ArtifactService, DEFAULT_MAX_ARTIFACT_BYTES } from '../artifacts/artifact.service.js';
import { AuthService } from '../auth/auth.service.js';
import { Authorizer } from '../authz/authorization.js';
import type { Caller } from '../authz/caller.js';
import { Db } from '../common/db.js';
import { isAccessDenial } from '../common/errors.js';
import { createLogger, type Logger } from '../common/logger.js';
import { settleWithin } from '../common/time.js';
import { Role } from '../db/index.js';
import { InsightsService } from '../insights/insights.service.js';
import { createOpsRouter, opsMetrics, requestLogging } from '../ops/index.js';
import { CLOSE_TRY_AGAIN, LiveConnections, type LiveCredential } from '../pubsub/live-connections.js';
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
import { costError, depthLimit, MAX_COST, operationCost } from './limits.js';
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

function clientKeyOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
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
  });
  const suggester = new Suggester(logger, options.suggestionThreads);
  const authz = new Authorizer(db);
  const artifacts = new ArtifactService(
    db,
    options.dataDir,
    options.maxArtifactBytes ?? DEFAULT_MAX_ARTIFACT_BYTES,
  );
  const studies = new StudyService(db, authz, (ids) => artifacts.removeFiles(ids));
  const trials = new TrialService(db, suggester, pubsub, logger);
  const auth = new AuthService(db, (revoked) => pubsub.publishAuthChanged(revoked));
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
    logger,
    ...(options.liveRecheckMs === undefined ? {} : { recheckMs: options.liveRecheckMs }),
  });
  // Revocations and membership changes come back through the pubsub to every process, this one
  // included: each closes its own sockets that the change affects.
  pubsub.onAuthChanged(({ revoked }) => {
    auth.invalidate();
    live.revoke(revoked);
  });
  pubsub.onMembershipChanged(({ userId }) => void live.membershipChanged(userId));
  const services: Services = {
    db,
    logger,
    authz,
    auth,
    teams: new TeamService(
      db,
      (revoked) => auth.credentialsChanged(revoked),
      (teamId, userId) => pubsub.publishMembershipChanged({ teamId, userId }),
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

  const wsCallers = new WeakMap<object, Caller>();
  const wsCleanup = useServer<Record<string, unknown>, { caller?: Caller }>(
    {
      schema,
      validate: (s, document) => validate(s, document, [...specifiedRules, depthLimit()]),
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
        const credential = credentialOf(
          params.authorization ?? params.Authorization,
          ctx.extra.request.headers.cookie,
        );
        const socket = ctx.extra.socket;
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
        wsCallers.set(socket, found.caller);
        live.add(socket, found, (code, reason) => socket.close(code, reason));
        socket.once('close', () => live.remove(socket));
        return true;
      },
      context: (ctx): Context => ({
        caller: wsCallers.get(ctx.extra.socket) ?? null,
        services,
        clientKey: clientKeyOf(ctx.extra.request),
        http: null,
        secureCookies: options.secureCookies ?? false,
        loaders: createLoaders(services),
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
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // The host process owns shutdown (it calls close()); Apollo's own handlers would re-raise the
    // signal and kill the process before the database and workers are stopped.
    stopOnTerminationSignals: false,
    validationRules: [depthLimit()],
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

  const allowed = new Set(options.corsOrigins ?? ['http://localhost:3000', 'http://127.0.0.1:3000']);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin && allowed.has(origin)) {
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
  app.use(createOpsRouter({ dataSource: options.dataSource, isDraining: () => draining }));
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
        live.close();
        await pubsub.close();
        await suggester.close();
        await db.close();
      })();
      return closing;
    },
  };
}
