import { createNodeClient, type PosteriorClient, parseApiUrls } from '@posterior/sdk/node';
import { type Command, Option } from 'commander';
import { readEnv } from './env.js';
import { UsageError } from './errors.js';

export interface ConnectionOptions {
  readonly api?: string;
  readonly token?: string;
}

export const DEFAULT_API_URL = 'http://localhost:4000';

/** A repeated `--api` adds replicas: the values are joined as one comma-separated list. */
const collectUrls = (value: string, previous: string | undefined): string =>
  previous === undefined ? value : `${previous},${value}`;

/** `--api` and `--token`, defaulting to POSTERIOR_API_URL and POSTERIOR_TOKEN. */
export function withConnection(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--api <url>',
        `API base URL; several replicas comma-separated or repeated, tried in turn when one is unreachable (env POSTERIOR_API_URL, default ${DEFAULT_API_URL})`,
      ).argParser(collectUrls),
    )
    .addOption(new Option('--token <token>', 'session or API token (env POSTERIOR_TOKEN)'));
}

export interface Connection {
  /** The first API replica. */
  readonly url: string;
  /** Every replica given, the first one first (one for a single `--api`). */
  readonly urls: readonly string[];
  readonly token: string | undefined;
}

export function resolveConnection(options: ConnectionOptions, requireToken = true): Connection {
  const env = readEnv();
  const raw = options.api ?? env.apiUrl ?? DEFAULT_API_URL;
  const listed = raw.split(',').map((u) => u.trim());
  const bad = listed.find((u) => !/^https?:\/\/[^\s,]+$/.test(u));
  if (bad !== undefined) throw new UsageError(`--api must be http(s) URLs, got ${JSON.stringify(bad)}`);
  const urls = parseApiUrls(listed);
  const url = urls[0] ?? DEFAULT_API_URL;
  const token = options.token ?? env.token;
  if (requireToken && !token) throw new UsageError('no token: pass --token or set POSTERIOR_TOKEN');
  return { url, urls, token };
}

export function connect(connection: Connection): PosteriorClient {
  return createNodeClient({
    url: connection.urls,
    token: connection.token,
    onRetry: (error, attempt, delayMs) =>
      process.stderr.write(`posterior: ${error.message}; retry ${attempt} in ${Math.round(delayMs)} ms\n`),
  });
}

export function parsePositiveInt(name: string) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1)
      throw new UsageError(`${name} must be a positive integer, got ${raw}`);
    return value;
  };
}
