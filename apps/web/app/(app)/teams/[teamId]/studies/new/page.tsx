'use client';

import { useParams } from 'next/navigation';
import { NewStudy } from '../../../../../../components/pages/new-study';

export default function NewStudyRoute() {
  const { teamId } = useParams<{ teamId: string }>();
  return <NewStudy teamId={teamId} />;
}
