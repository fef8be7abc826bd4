'use client';

import { useParams } from 'next/navigation';
import { Suspense } from 'react';
import { StudyPage } from '../../../../components/study/study-page';
import { PageSkeleton } from '../../../../components/ui/states';

export default function StudyRoute() {
  const { studyId } = useParams<{ studyId: string }>();
  return (
    <Suspense fallback={<PageSkeleton label="Loading study" />}>
      <StudyPage studyId={studyId} key={studyId} />
    </Suspense>
  );
}
