import type { Metadata } from 'next';
import { MyInvitations } from '../../../components/pages/my-invitations';

export const metadata: Metadata = { title: 'Invitations' };

export default function InvitationsRoute() {
  return <MyInvitations />;
}
