'use client';

import { useParams } from 'next/navigation';
import { TeamSettings } from '../../../../../components/pages/team-settings';

export default function TeamSettingsRoute() {
  const { teamId } = useParams<{ teamId: string }>();
  return <TeamSettings teamId={teamId} key={teamId} />;
}
