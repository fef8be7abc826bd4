import * as z from 'zod/mini';

/**
 * The one place the dashboard reads its environment.
 *
 * Browser traffic (the default): GraphQL over HTTP and artifact downloads go to the dashboard's own
 * origin, and route handlers (app/graphql, app/artifacts) forward them to API_URL at request time, so
 * the API needs no CORS and an httpOnly cookie would work same-origin. Subscriptions (graphql-ws) go
 * straight to the API: the browser learns where from /api-config (PUBLIC_API_URL, else API_URL), since
 * WebSockets cannot pass through a route handler and are not subject to CORS.
 *
 * NEXT_PUBLIC_API_URL (build time, optional): the browser talks to that API directly for everything
 * (it must allow the dashboard's origin).
 */
const serverSchema = z.object({
  API_URL: z._default(z.url(), 'http://localhost:4000'),
  PUBLIC_API_URL: z.optional(z.url()),
  NEXT_PUBLIC_API_URL: z.optional(z.url()),
});

/** Server-side settings, read at request time (so one build serves any API address). */
export function serverEnv(): { apiUrl: string; publicApiUrl: string } {
  const e = serverSchema.parse({
    API_URL: process.env.API_URL || process.env.POSTERIOR_API_URL || undefined,
    PUBLIC_API_URL: process.env.PUBLIC_API_URL || undefined,
    // Inlined into the browser bundle at build time; checked here, on the server, so the bundle
    // carries no validator (zod was 80 KB of the study page's scripts).
    NEXT_PUBLIC_API_URL: process.env.NEXT_PUBLIC_API_URL || undefined,
  });
  const apiUrl = e.API_URL.replace(/\/+$/, '').replace(/\/graphql$/, '');
  return { apiUrl, publicApiUrl: (e.PUBLIC_API_URL ?? apiUrl).replace(/\/+$/, '').replace(/\/graphql$/, '') };
}
