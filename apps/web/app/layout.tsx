import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import { type ReactNode, Suspense } from 'react';
import { QueryProvider } from '../components/query-provider';
import { SessionProvider } from '../components/session';
import { THEME_INIT_SCRIPT } from '../components/ui/theme-toggle';
import { UrlSync } from '../components/ui/url-sync';
import { earlyRequestsScript } from '../lib/early-requests';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Posterior', template: '%s · Posterior' },
  description: 'Hyperparameter optimization and experiment tracking',
};

export const viewport: Viewport = {
  themeColor: [
    { media: '(prefers-color-scheme: dark)', color: '#0d1017' },
    { media: '(prefers-color-scheme: light)', color: '#f6f7fb' },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The per-request nonce from proxy.ts: the CSP lets only scripts carrying it run. Reading the
  // request headers also renders every page per request, as a nonce requires.
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: constant theme bootstrap, runs before paint */}
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_INIT_SCRIPT }} />
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: constant script; sends a page's first data requests before its JavaScript loads */}
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: earlyRequestsScript() }} />
      </head>
      <body>
        <QueryProvider>
          <SessionProvider>{children}</SessionProvider>
        </QueryProvider>
        {/* useSearchParams needs a Suspense boundary on statically rendered routes */}
        <Suspense fallback={null}>
          <UrlSync />
        </Suspense>
      </body>
    </html>
  );
}
