import type { Metadata, Viewport } from 'next';
import { type ReactNode, Suspense } from 'react';
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

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: constant theme bootstrap, runs before paint */}
        <script dangerouslySetInnerHTML={{ __html: THEME_INIT_SCRIPT }} />
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: constant script; sends a page's first data requests before its JavaScript loads */}
        <script dangerouslySetInnerHTML={{ __html: earlyRequestsScript() }} />
      </head>
      <body>
        <SessionProvider>{children}</SessionProvider>
        {/* useSearchParams needs a Suspense boundary on statically rendered routes */}
        <Suspense fallback={null}>
          <UrlSync />
        </Suspense>
      </body>
    </html>
  );
}
