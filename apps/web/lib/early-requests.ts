import { documents } from '@posterior/sdk';

/**
 * A first load of the study page used to ask for its data only once its ~1.5 MB of JavaScript had
 * downloaded and hydrated. A few lines inlined in <head> send those requests as soon as the HTML
 * arrives instead; the API client then takes each answer for the identical request, once.
 *
 * This module is shared by the server layout (which inlines the script) and the browser client.
 */

/**
 * localStorage key of the "signed in when last seen" hint ('1'). Not a credential: the session is
 * the API's httpOnly cookie, which the early requests carry like any other same-origin request.
 */
export const SIGNED_IN_KEY = 'posterior.signedIn';
const GLOBAL_KEY = '__posteriorEarly';
/** An early answer older than this is not used: the page asked too late for it to be current. */
export const EARLY_FRESH_MS = 10_000;

interface EarlyRoute {
  /** Matched against `location.pathname`; the first group is the only variable, `id`. */
  path: RegExp;
  queries: readonly string[];
}

/** The SDK's trial-table document (dashboard.trialTable sends exactly this text). */
export const TRIAL_TABLE_QUERY = documents.TRIAL_TABLE;

/** The requests a route's first render makes, in the order the page makes them. */
const EARLY_ROUTES: readonly EarlyRoute[] = [
  { path: /^\/studies\/([0-9a-f-]{36})\/?$/i, queries: [documents.STUDY_QUERY, TRIAL_TABLE_QUERY] },
];

interface EarlyEntry {
  query: string;
  id: string;
  at: number;
  response: Promise<Response>;
}

/**
 * The inline script: plain ES5 with no dependencies, generated from the same query documents the
 * client sends, so both sides agree on what "the identical request" is.
 */
export function earlyRequestsScript(): string {
  const routes = EARLY_ROUTES.map((r) => `[${r.path.toString()},${JSON.stringify(r.queries)}]`).join(',');
  return `(function(){try{var rs=[${routes}],p=location.pathname;if(localStorage.getItem(${JSON.stringify(SIGNED_IN_KEY)})!=='1')return;for(var i=0;i<rs.length;i++){var m=rs[i][0].exec(p);if(!m)continue;var out=[];for(var j=0;j<rs[i][1].length;j++){var q=rs[i][1][j];out.push({query:q,id:m[1],at:Date.now(),response:fetch('/graphql',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({query:q,variables:{id:m[1]}}),credentials:'same-origin'})})}window.${GLOBAL_KEY}=out;return}}catch(e){}})();`;
}

function earlyEntries(): EarlyEntry[] | undefined {
  const page = (globalThis as unknown as { window?: Record<string, unknown> }).window;
  const entries = page?.[GLOBAL_KEY];
  return Array.isArray(entries) ? (entries as EarlyEntry[]) : undefined;
}

interface GraphQLBody {
  query?: unknown;
  variables?: { id?: unknown } | null;
}

function authorizationOf(init: RequestInit | undefined): string | null {
  return init?.headers ? new Headers(init.headers).get('authorization') : null;
}

/**
 * The early answer to this exact request (same query, same `id`, on the cookie session, i.e. with
 * no Authorization header, still fresh), taken once; undefined when there is none. Any other
 * request, and every later one, goes to the network.
 */
export function takeEarlyResponse(
  init: RequestInit | undefined,
  now = Date.now(),
): Promise<Response> | undefined {
  const entries = earlyEntries();
  if (!entries?.length || init?.method !== 'POST' || typeof init.body !== 'string') return undefined;
  let body: GraphQLBody;
  try {
    body = JSON.parse(init.body) as GraphQLBody;
  } catch {
    return undefined;
  }
  const auth = authorizationOf(init);
  const index = entries.findIndex(
    (e) =>
      e.query === body.query && e.id === body.variables?.id && auth === null && now - e.at <= EARLY_FRESH_MS,
  );
  if (index < 0) return undefined;
  const [entry] = entries.splice(index, 1);
  return entry?.response;
}

/** `fetch`, answered from an early request when it is the identical one. */
export function earlyAwareFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const early = takeEarlyResponse(init);
  if (early === undefined) return fetch(input, init);
  // A failed early request (offline for a moment, say) is retried as if it had never been made.
  return early.catch(() => fetch(input, init));
}
