import { resolve } from 'node:path';

/** The CLI's one reader of process.env (docs/DESIGN.md section 2 variables it uses as defaults). */
export interface CliEnv {
  readonly apiUrl: string | undefined;
  readonly token: string | undefined;
  /** POSTERIOR_DATA_DIR (default `./.posterior`): the worker's task caches live under it. */
  readonly dataDir: string;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): CliEnv {
  return {
    apiUrl: nonEmpty(env.POSTERIOR_API_URL),
    token: nonEmpty(env.POSTERIOR_TOKEN),
    dataDir: resolve(nonEmpty(env.POSTERIOR_DATA_DIR) ?? '.posterior'),
  };
}
