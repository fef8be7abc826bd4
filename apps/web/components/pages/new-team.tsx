'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { describeError, getClient } from '../../lib/api/client';
import { rememberTeam, useSession } from '../session';

export function NewTeam() {
  const session = useSession();
  const router = useRouter();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) {
      setError('Give the team a name.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const team = await getClient().createTeam(name.trim());
      rememberTeam(team.id);
      await session.refresh();
      router.push(`/teams/${team.id}/studies`);
    } catch (err) {
      setError(describeError(err).detail);
      setBusy(false);
    }
  }
  return (
    <div className="stack" style={{ maxWidth: 520 }}>
      <div>
        <h1>Create a team</h1>
        <p className="muted">
          {session.teams.length === 0
            ? 'You are not in a team yet. Create one, or ask a colleague to add you to theirs.'
            : 'Teams share studies, workers and API tokens.'}
        </p>
      </div>
      <form className="card card-body stack" onSubmit={submit} aria-label="Create a team" noValidate>
        <div className="field">
          <label htmlFor="team-name">Team name</label>
          <input
            id="team-name"
            type="text"
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'team-error' : undefined}
          />
          {error ? (
            <span id="team-error" className="field-error" role="alert">
              {error}
            </span>
          ) : null}
        </div>
        <div className="row" style={{ justifyContent: 'flex-end' }}>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create team'}
          </button>
        </div>
      </form>
    </div>
  );
}
