import type { Command } from 'commander';
import { UsageError } from '../errors.js';

/**
 * `posterior serve [--port 4000] [--host 127.0.0.1] [--no-migrate] [--db-wait 60]`: the API alone, on
 * DATABASE_URL or the embedded PostgreSQL under POSTERIOR_DATA_DIR. An unreachable DATABASE_URL is
 * retried with backoff for --db-wait seconds (POSTERIOR_DB_WAIT_S, default 60), each attempt logged,
 * then the command exits 1 naming the database. Pending migrations run on start under a PostgreSQL
 * advisory lock (replicas starting together take turns); with --no-migrate (or POSTERIOR_MIGRATE=false)
 * a migration Job owns them and start-up fails if any are pending. Ctrl-C (or SIGTERM) drains clients
 * and stops cleanly. It listens on loopback unless --host says otherwise (containers pass 0.0.0.0), so
 * a developer's API, with its demo owner, is not reachable from the network by default.
 */
export function register(program: Command): void {
  program
    .command('serve')
    .description('start the GraphQL API (DATABASE_URL, or an embedded PostgreSQL under POSTERIOR_DATA_DIR)')
    .option('--port <port>', 'port to listen on (default: PORT or 4000)')
    .option('--host <host>', 'address to listen on (0.0.0.0: every interface)', '127.0.0.1')
    .option(
      '--db-wait <seconds>',
      'keep retrying an unreachable DATABASE_URL this long before exiting 1 (default: POSTERIOR_DB_WAIT_S or 60)',
    )
    .option(
      '--no-migrate',
      'do not run migrations (a separate job does); fail if any are pending (env POSTERIOR_MIGRATE=false)',
    )
    .action(async (opts: ServeOptions) => {
      await serve(opts);
    });
}

interface ServeOptions {
  port?: string;
  host: string;
  dbWait?: string;
  /** commander's --no-migrate: false when given, true otherwise. */
  migrate: boolean;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port > 65535) {
    throw new UsageError(`--port must be an integer between 0 and 65535, got "${value}"`);
  }
  return port;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > 86_400) {
    throw new UsageError(`--db-wait must be a number of seconds between 0 and 86400, got "${value}"`);
  }
  return seconds;
}

async function serve(opts: ServeOptions): Promise<void> {
  // Loaded here, not at the top: the API (TypeORM, Apollo, argon2) takes seconds to import, and
  // every other verb of the CLI would pay for it.
  const {
    ConfigError,
    createApiServer,
    createDataSource,
    createLogger,
    loadConfig,
    serverSecurityOptions,
    startDatabase,
  } = await import('@posterior/api');
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  const port = opts.port === undefined ? config.PORT : parsePort(opts.port);
  const waitS = opts.dbWait === undefined ? config.POSTERIOR_DB_WAIT_S : parseSeconds(opts.dbWait);
  const logger = createLogger(config.LOG_LEVEL);

  const database = await startDatabase({
    dataDir: config.POSTERIOR_DATA_DIR,
    databaseUrl: config.DATABASE_URL,
    migrate: opts.migrate && config.POSTERIOR_MIGRATE ? true : 'verify',
    waitMs: waitS * 1000,
    onWait: (line) => logger.warn(line),
    log: (line) => logger.debug({ source: 'postgres' }, line),
  });
  const dataSource = createDataSource(database.url, { applicationName: 'posterior-api' });
  let server: Awaited<ReturnType<typeof createApiServer>> | null = null;
  try {
    await dataSource.initialize();
    server = await createApiServer({
      dataSource,
      dataDir: config.POSTERIOR_DATA_DIR,
      port,
      host: opts.host,
      logger,
      // TRUSTED_PROXIES, POSTERIOR_SECURE_COOKIES, POSTERIOR_ALLOWED_ORIGINS, POSTERIOR_METRICS_*,
      // POSTERIOR_INTROSPECTION
      ...serverSecurityOptions(config),
    });
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.stop();
    throw error;
  }
  const running = server;
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      void (async () => {
        try {
          await running.close();
          await dataSource.destroy();
          await database.stop();
        } finally {
          resolve();
        }
      })();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    // Only now: whoever reads this line may signal at once, and must find the handlers in place.
    process.stderr.write(
      `Posterior API: ${running.url} (WebSocket ${running.wsUrl}); database: ${database.embedded ? 'embedded' : 'DATABASE_URL'}\n`,
    );
  });
}
