import { serverEnv } from '../../lib/env';

export const dynamic = 'force-dynamic';

/** Where the browser opens its graphql-ws connection (read at request time). */
export function GET(): Response {
  const { publicApiUrl } = serverEnv();
  return Response.json({ apiUrl: publicApiUrl }, { headers: { 'cache-control': 'no-store' } });
}
