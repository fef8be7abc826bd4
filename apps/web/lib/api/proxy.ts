import { serverEnv } from '../env';
import {
  browserResponseHeaders,
  isCrossSiteWrite,
  type ProxiedKind,
  upstreamRequestHeaders,
} from '../proxy-headers';

/** Forwards one request to the API (route handlers only; runs on the server). */
export async function forwardToApi(
  req: Request,
  path: string,
  kind: ProxiedKind = 'graphql',
): Promise<Response> {
  if (isCrossSiteWrite(req.method, req.headers)) {
    return Response.json(
      { errors: [{ message: 'cross-site request refused', extensions: { code: 'FORBIDDEN' } }] },
      { status: 403, headers: { 'x-content-type-options': 'nosniff' } },
    );
  }
  const { apiUrl } = serverEnv();
  const url = `${apiUrl}${path}${new URL(req.url).search}`;
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  let res: Response;
  try {
    res = await fetch(url, {
      method: req.method,
      headers: upstreamRequestHeaders(req.headers),
      body: hasBody ? await req.arrayBuffer() : undefined,
      redirect: 'manual',
      cache: 'no-store',
    });
  } catch (e) {
    const message = `The dashboard cannot reach the API at ${apiUrl} (${e instanceof Error ? e.message : String(e)})`;
    return Response.json({ errors: [{ message, extensions: { code: 'NETWORK_ERROR' } }] }, { status: 502 });
  }
  const https = req.headers.get('x-forwarded-proto') === 'https' || new URL(req.url).protocol === 'https:';
  return new Response(res.body, {
    status: res.status,
    headers: browserResponseHeaders(res.headers, { kind, https }),
  });
}
