'use client';

import { useParams } from 'next/navigation';
import { Suspense } from 'react';
import { StudiesList } from '../../../../../components/pages/studies-list';
import { PageSkeleton } from '../../../../../components/ui/states';

export default function StudiesRoute() {
  const { teamId } = useParams<{ teamId: string }>();
  return (
    <Suspense fallback={<PageSkeleton label="Loading studies" />}>
      <StudiesList teamId={teamId} />
    </Suspense>
  );
}
