import type { NextConfig } from 'next';

// API traffic is forwarded by route handlers (app/graphql, app/artifacts) that read API_URL at request
// time, not by rewrites: rewrites are fixed at build time. See lib/env.ts.
const config: NextConfig = {
  // A separate build directory lets a developer serve one build while `npm test` rebuilds `.next`.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  reactStrictMode: true,
  poweredByHeader: false,
  transpilePackages: ['@posterior/core', '@posterior/sdk'],
};

export default config;
