import type { Metadata } from 'next';
import type { ReactNode } from 'react';

// absolute: the studies layout above sets a plain title, which stops the root template here
export const metadata: Metadata = { title: { absolute: 'New study · Posterior' } };

export default function Layout({ children }: { children: ReactNode }) {
  return children;
}
