'use client';

import { useParams } from 'next/navigation';
import { TrialPage } from '../../../../components/pages/trial-page';

export default function TrialRoute() {
  const { trialId } = useParams<{ trialId: string }>();
  return <TrialPage trialId={trialId} key={trialId} />;
}
