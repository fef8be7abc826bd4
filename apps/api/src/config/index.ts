import { resolve } from 'node:path';
import { z } from 'zod';
import { trustedProxyProblem } from '../auth/client-address.js';

// The api's only reader of process.env: everything else receives a validated Config.

/** Unset and empty are the same thing for optional variables (`DATABASE_URL= npm start`). */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const postgresUrl = z
  .string()
  .trim()
  .refine((v) => /^postgres(ql)?:\/\//.test(v) && URL.canParse(v), {
    message: 'must be a postgres:// or postgresql:// URL',
  });

const port = z.coerce.number().int().min(0).max(65535);

/** `true`/`false` (also 1/0, yes/no, on/off), case-insensitive; anything else is an error. */
const flag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), {
    message: 'must be true or false',
  })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

/** A comma-separated list (spaces around items ignored, empty items dropped). */
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

const origin = z.string().refine((v) => URL.canParse(v) && new URL(v).origin === v, {
  message: 'must be origins like https://posterior.example.com (scheme, host, port; no path)',
});

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** Connect to this server; when unset, an embedded PostgreSQL runs under POSTERIOR_DATA_DIR. */
  DATABASE_URL: optional(postgresUrl),
  /** Embedded database, artifacts, caches. Resolved against the working directory. */
  POSTERIOR_DATA_DIR: z
    .string()
    .trim()
    .min(1)
    .default('./.posterior')
    .transform((dir) => resolve(dir)),
  PORT: port.default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * `posterior serve` runs pending migrations on start (default true). false: a Job migrates first,
   * and start-up only verifies that none are pending (same as `--no-migrate`).
   */
  POSTERIOR_MIGRATE: optional(flag).transform((v) => v ?? true),
  /**
   * Proxies whose X-Forwarded-For names the end client, for log-in and sign-up limits: addresses,
   * CIDR ranges, or `loopback` / `linklocal` / `uniquelocal`. Default `loopback` (the dashboard's
   * proxy runs beside the API). Behind an ingress or load balancer, list its addresses.
   */
  TRUSTED_PROXIES: optional(
    list.superRefine((entries, ctx) => {
      for (const entry of entries) {
        const problem = trustedProxyProblem(entry);
        if (problem) ctx.addIssue({ code: 'custom', message: `${entry}: ${problem}` });
      }
    }),
  ).transform((v) => v ?? ['loopback']),
  /** Set the Secure flag on session cookies (serve behind HTTPS). Default false. */
  POSTERIOR_SECURE_COOKIES: optional(flag).transform((v) => v ?? false),
  /**
   * Browser origins that may call the API with the session cookie (CORS) and open a WebSocket
   * authenticated by it. Default the dashboard on localhost:3000.
   */
  POSTERIOR_ALLOWED_ORIGINS: optional(list.pipe(z.array(origin))).transform(
    (v) => v ?? ['http://localhost:3000', 'http://127.0.0.1:3000'],
  ),
  /** Serve Prometheus `/metrics` on this port only (not on the API's). */
  POSTERIOR_METRICS_PORT: optional(port),
  /** Serve `/metrics` on the API's port to `Authorization: Bearer <token>` only (16+ characters). */
  POSTERIOR_METRICS_TOKEN: optional(z.string().trim().min(16, 'must be at least 16 characters')),
  /** Bytes of artifacts one team may store in all (default 20 GiB). */
  POSTERIOR_ARTIFACT_QUOTA_BYTES: optional(z.coerce.number().int().positive()),
  /** GraphQL introspection and field suggestions. Default: on, except with NODE_ENV=production. */
  POSTERIOR_INTROSPECTION: optional(flag),
  /**
   * `posterior serve` on DATABASE_URL: how long to keep retrying an unreachable database before
   * exiting 1 (seconds; 0 tries once). A container may start before its database.
   */
  POSTERIOR_DB_WAIT_S: optional(z.coerce.number().min(0).max(86_400)).transform((v) => v ?? 60),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Validates the environment; throws a ConfigError whose message is one line naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return parseEnv(configSchema, env);
}

/**
 * DATABASE_URL alone, for test helpers that run inside other packages' tests, where the server's
 * other settings are neither set nor needed.
 */
export function loadDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return parseEnv(configSchema.pick({ DATABASE_URL: true }), env).DATABASE_URL;
}

/**
 * The createApiServer options that come from the environment (`posterior serve` spreads them in).
 * Plain data, so this module does not depend on the server's.
 */
export function serverSecurityOptions(config: Config): {
  trustedProxies: readonly string[];
  secureCookies: boolean;
  corsOrigins: readonly string[];
  metrics: { port?: number; token?: string };
  introspection: boolean;
  teamArtifactQuotaBytes?: number;
} {
  return {
    trustedProxies: config.TRUSTED_PROXIES,
    secureCookies: config.POSTERIOR_SECURE_COOKIES,
    corsOrigins: config.POSTERIOR_ALLOWED_ORIGINS,
    metrics: {
      ...(config.POSTERIOR_METRICS_PORT === undefined ? {} : { port: config.POSTERIOR_METRICS_PORT }),
      ...(config.POSTERIOR_METRICS_TOKEN === undefined ? {} : { token: config.POSTERIOR_METRICS_TOKEN }),
    },
    introspection: config.POSTERIOR_INTROSPECTION ?? config.NODE_ENV !== 'production',
    ...(config.POSTERIOR_ARTIFACT_QUOTA_BYTES === undefined
      ? {}
      : { teamArtifactQuotaBytes: config.POSTERIOR_ARTIFACT_QUOTA_BYTES }),
  };
}

let cached: Config | undefined;

/** The process-wide config, validated once on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
