import { serverEnv } from '../env';

const REQUEST_HEADERS = [
  'content-type',
  'authorization',
  'cookie',
  'accept',
  'x-filename',
  'apollo-require-preflight',
];
const RESPONSE_HEADERS = [
  'content-type',
  'set-cookie',
  'content-disposition',
  'content-length',
  'cache-control',
  'etag',
];

/** Forwards one request to the API (route handlers only; runs on the server). */
export async function forwardToApi(req: Request, path: string): Promise<Response> {
  const { apiUrl } = serverEnv();
  const url = `${apiUrl}${path}${new URL(req.url).search}`;
  const headers = new Headers();
  for (const h of REQUEST_HEADERS) {
    const v = req.headers.get(h);
    if (v) headers.set(h, v);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  let res: Response;
  try {
    res = await fetch(url, {
      method: req.method,
      headers,
      body: hasBody ? await req.arrayBuffer() : undefined,
      redirect: 'manual',
      cache: 'no-store',
    });
  } catch (e) {
    const message = `The dashboard cannot reach the API at ${apiUrl} (${e instanceof Error ? e.message : String(e)})`;
    return Response.json({ errors: [{ message, extensions: { code: 'NETWORK_ERROR' } }] }, { status: 502 });
  }
  const out = new Headers();
  for (const h of RESPONSE_HEADERS) {
    const v = h === 'set-cookie' ? res.headers.getSetCookie() : res.headers.get(h);
    if (Array.isArray(v)) for (const c of v) out.append(h, c);
    else if (v) out.set(h, v);
  }
  return new Response(res.body, { status: res.status, headers: out });
}
