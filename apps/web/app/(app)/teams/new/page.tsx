import type { Metadata } from 'next';
import { NewTeam } from '../../../../components/pages/new-team';

export const metadata: Metadata = { title: 'New team' };

export default function NewTeamRoute() {
  return <NewTeam />;
}
