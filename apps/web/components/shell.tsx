'use client';

import Link from 'next/link';
import { useParams, usePathname, useRouter } from 'next/navigation';
import { type ReactNode, useEffect, useState } from 'react';
import { signedInHint } from '../lib/api/client';
import { can } from '../lib/roles';
import { lastTeam, rememberTeam, useRequireSession } from './session';
import { Logo } from './ui/logo';
import { ErrorState, PageSkeleton } from './ui/states';
import { ThemeToggle } from './ui/theme-toggle';

export function TeamSwitcher({ teamId }: { teamId: string | null }) {
  const { teams } = useRequireSession();
  const router = useRouter();
  return (
    <div className="row" style={{ gap: 6 }}>
      <label htmlFor="team-switcher" className="sr-only">
        Team
      </label>
      <select
        id="team-switcher"
        value={teamId ?? ''}
        onChange={(e) => {
          const v = e.target.value;
          if (v === '__new') router.push('/teams/new');
          else if (v) {
            rememberTeam(v);
            router.push(`/teams/${v}/studies`);
          }
        }}
        style={{ maxWidth: 220 }}
      >
        {teamId === null ? <option value="">Choose a team…</option> : null}
        {teams.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
        <option value="__new">＋ New team…</option>
      </select>
    </div>
  );
}

/** The signed-in layout: header with brand, team switcher, nav, theme toggle and account. */
export function AppShell({ children, teamId: forcedTeam }: { children: ReactNode; teamId?: string | null }) {
  const session = useRequireSession();
  const params = useParams<{ teamId?: string }>();
  const path = usePathname();
  const router = useRouter();
  const routeTeam = typeof params.teamId === 'string' ? params.teamId : null;
  const teamId =
    forcedTeam ?? routeTeam ?? (session.teams.length ? (lastTeam() ?? session.teams[0]?.id ?? null) : null);
  useEffect(() => {
    if (routeTeam) rememberTeam(routeTeam);
  }, [routeTeam]);
  const team = session.teams.find((t) => t.id === teamId) ?? null;
  // Signed in when last seen: the page starts loading its data while the session is confirmed.
  const [hasToken, setHasToken] = useState(false);
  useEffect(() => setHasToken(signedInHint()), []);
  const nav = teamId
    ? [
        { href: `/teams/${teamId}/studies`, label: 'Studies' },
        // viewers cannot create studies: the link would lead to a form that always fails
        ...(can(team?.role, 'MEMBER') ? [{ href: `/teams/${teamId}/studies/new`, label: 'New study' }] : []),
        { href: `/teams/${teamId}/settings`, label: 'Team settings' },
      ]
    : [];
  // Below 720 px the nav and account controls fold into a menu (the header would overflow).
  const [menuOpen, setMenuOpen] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a navigation closes the menu
  useEffect(() => setMenuOpen(false), [path]);
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="shell-header" data-menu={menuOpen ? 'open' : 'closed'}>
        <Link
          prefetch={false}
          href={teamId ? `/teams/${teamId}/studies` : '/'}
          className="brand"
          aria-label="Posterior home"
        >
          <Logo />
          <span>Posterior</span>
        </Link>
        {session.status === 'signed-in' ? <TeamSwitcher teamId={team ? team.id : null} /> : null}
        <button
          type="button"
          className="btn btn-sm menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="shell-menu"
          onClick={() => setMenuOpen((o) => !o)}
        >
          Menu
        </button>
        <div className="shell-menu" id="shell-menu">
          <nav className="nav" aria-label="Main">
            {nav.map((n) => (
              <Link
                prefetch={false}
                key={n.href}
                href={n.href}
                aria-current={path === n.href ? 'page' : undefined}
              >
                {n.label}
              </Link>
            ))}
          </nav>
          <div className="header-right">
            {session.invitations.length > 0 ? (
              <Link
                prefetch={false}
                href="/invitations"
                className="btn btn-sm btn-primary"
                aria-current={path === '/invitations' ? 'page' : undefined}
              >
                Invitations <span className="count-pill">{session.invitations.length}</span>
              </Link>
            ) : null}
            <ThemeToggle />
            {session.user ? (
              <>
                <span className="muted" style={{ fontSize: 13 }} title={session.user.email}>
                  {session.user.name ?? session.user.email}
                </span>
                <button
                  type="button"
                  className="btn btn-sm"
                  onClick={async () => {
                    await session.logOut();
                    router.push('/login');
                  }}
                >
                  Log out
                </button>
              </>
            ) : null}
          </div>
        </div>
      </header>
      <main id="main" className="main">
        {session.status === 'signed-in' || (session.status === 'loading' && hasToken) ? (
          children
        ) : session.status === 'loading' || session.status === 'signed-out' ? (
          <PageSkeleton label="Loading your session" />
        ) : session.status === 'error' ? (
          <ErrorState error={session.error} onRetry={() => void session.refresh()} />
        ) : null}
      </main>
    </>
  );
}
