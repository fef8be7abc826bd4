'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { lastTeam, useSession } from '../components/session';
import { PageSkeleton } from '../components/ui/states';

/** Sends people where they belong: their last team's studies, their invitations, team creation, or the login page. */
export default function Home() {
  const s = useSession();
  const router = useRouter();
  useEffect(() => {
    if (s.status === 'signed-out') router.replace('/login');
    if (s.status !== 'signed-in') return;
    const last = lastTeam();
    const team = s.teams.find((t) => t.id === last) ?? s.teams[0];
    router.replace(team ? `/teams/${team.id}/studies` : s.invitations.length ? '/invitations' : '/teams/new');
  }, [s.status, s.teams, s.invitations.length, router]);
  return (
    <main className="main">
      <PageSkeleton />
    </main>
  );
}
