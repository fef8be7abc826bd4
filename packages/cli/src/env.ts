/** The CLI's one reader of process.env (DESIGN section 2 variables it uses as defaults). */
export interface CliEnv {
  readonly apiUrl: string | undefined;
  readonly token: string | undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): CliEnv {
  return { apiUrl: nonEmpty(env.POSTERIOR_API_URL), token: nonEmpty(env.POSTERIOR_TOKEN) };
}
