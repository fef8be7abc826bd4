import type { Metadata } from 'next';
import { Suspense } from 'react';
import { PreviewStudy } from '../../../components/study/preview-study';
import { PageSkeleton } from '../../../components/ui/states';

export const metadata: Metadata = { title: 'Preview: fixture study' };

/**
 * The study page over a deterministic fixture study (no API): `?trials=10000&steps=20&live=1`.
 * Used to look at and benchmark the charts at scale, and for development while the API is down.
 */
export default function PreviewStudyPage() {
  return (
    <Suspense fallback={<PageSkeleton />}>
      <PreviewStudy />
    </Suspense>
  );
}
