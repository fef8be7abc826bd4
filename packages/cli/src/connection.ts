import { createNodeClient, type PosteriorClient } from '@posterior/sdk/node';
import { type Command, Option } from 'commander';
import { readEnv } from './env.js';
import { UsageError } from './errors.js';

export interface ConnectionOptions {
  readonly api?: string;
  readonly token?: string;
}

export const DEFAULT_API_URL = 'http://localhost:4000';

/** `--api` and `--token`, defaulting to POSTERIOR_API_URL and POSTERIOR_TOKEN. */
export function withConnection(command: Command): Command {
  return command
    .addOption(new Option('--api <url>', `API base URL (env POSTERIOR_API_URL, default ${DEFAULT_API_URL})`))
    .addOption(new Option('--token <token>', 'session or API token (env POSTERIOR_TOKEN)'));
}

export interface Connection {
  readonly url: string;
  readonly token: string | undefined;
}

export function resolveConnection(options: ConnectionOptions, requireToken = true): Connection {
  const env = readEnv();
  const url = options.api ?? env.apiUrl ?? DEFAULT_API_URL;
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new UsageError(`--api must be an http(s) URL, got ${url}`);
  const token = options.token ?? env.token;
  if (requireToken && !token) throw new UsageError('no token: pass --token or set POSTERIOR_TOKEN');
  return { url, token };
}

export function connect(connection: Connection): PosteriorClient {
  return createNodeClient({
    url: connection.url,
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
