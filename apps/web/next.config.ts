import type { NextConfig } from 'next';

// The dashboard's own origin proxies /graphql and /artifacts to the API, so the browser talks
// same-origin (an httpOnly session cookie works, no CORS needed). WebSockets (graphql-ws) go
// straight to the API at NEXT_PUBLIC_API_URL: browsers do not apply CORS to WebSockets.
const apiUrl = (process.env.API_URL ?? process.env.NEXT_PUBLIC_API_URL ?? 'http://localhost:4000').replace(
  /\/$/,
  '',
);

const config: NextConfig = {
  // A separate build directory lets a developer serve one build while `npm test` rebuilds `.next`.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  reactStrictMode: true,
  poweredByHeader: false,
  transpilePackages: ['@posterior/sdk'],
  async rewrites() {
    return [
      { source: '/graphql', destination: `${apiUrl}/graphql` },
      { source: '/artifacts/:path*', destination: `${apiUrl}/artifacts/:path*` },
      { source: '/api-proxy/:path*', destination: `${apiUrl}/:path*` },
    ];
  },
};

export default config;
