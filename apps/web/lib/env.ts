import * as z from 'zod/mini';

/**
 * The one place the dashboard reads its environment.
 *
 * Browser traffic (the default): everything goes to the dashboard's own origin. Route handlers
 * (app/graphql, app/artifacts) forward GraphQL over HTTP and artifact downloads to API_URL at request
 * time, and server.mjs forwards the graphql-ws upgrade at /graphql (it reads API_URL itself, at
 * start), so the session is an httpOnly cookie of this origin and the API needs no CORS.
 *
 * NEXT_PUBLIC_API_URL (build time, optional): the browser talks to that API directly for everything
 * (it must allow the dashboard's origin).
 */
const serverSchema = z.object({
  API_URL: z._default(z.url(), 'http://localhost:4000'),
  NEXT_PUBLIC_API_URL: z.optional(z.url()),
});

/** Server-side settings, read at request time (so one build serves any API address). */
export function serverEnv(): { apiUrl: string } {
  const e = serverSchema.parse({
    API_URL: process.env.API_URL || process.env.POSTERIOR_API_URL || undefined,
    // Inlined into the browser bundle at build time; checked here, on the server, so the bundle
    // carries no validator (zod was 80 KB of the study page's scripts).
    NEXT_PUBLIC_API_URL: process.env.NEXT_PUBLIC_API_URL || undefined,
  });
  const apiUrl = e.API_URL.replace(/\/+$/, '').replace(/\/graphql$/, '');
  return { apiUrl };
}
