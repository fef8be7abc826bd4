import { resolve } from 'node:path';
import { z } from 'zod';

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

let cached: Config | undefined;

/** The process-wide config, validated once on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
