import * as z from 'zod/mini';

/**
 * The one place the dashboard reads its environment. NEXT_PUBLIC_* values are inlined at build time.
 *
 * - NEXT_PUBLIC_API_URL (optional): when set, the browser talks to the API there directly (HTTP and
 *   graphql-ws; the API must allow the dashboard's origin). When unset (the default), the browser talks
 *   to its own origin and Next rewrites /graphql and /artifacts to API_URL (next.config.ts), so an
 *   httpOnly cookie works same-origin and no CORS is needed; WebSocket upgrades are proxied likewise.
 */
const schema = z.object({
  NEXT_PUBLIC_API_URL: z.optional(z.url()),
});

export const env = schema.parse({
  NEXT_PUBLIC_API_URL: process.env.NEXT_PUBLIC_API_URL || undefined,
});
