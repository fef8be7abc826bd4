'use client';

import { ErrorState } from '../components/ui/states';

export default function RootError({ error, reset }: { error: Error; reset: () => void }) {
  return (
    <main className="main">
      <ErrorState error={error} onRetry={reset} />
    </main>
  );
}
