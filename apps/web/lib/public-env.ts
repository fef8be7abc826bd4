/**
 * The one setting the browser reads: NEXT_PUBLIC_API_URL, inlined at build time (see env.ts, where the
 * server validates it). Unset: the browser talks to the dashboard's own origin.
 */
export const publicApiUrl: string | undefined = process.env.NEXT_PUBLIC_API_URL || undefined;
