'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { type FormEvent, useEffect, useState } from 'react';
import { describeError } from '../lib/api/client';
import { useSession } from './session';
import { Logo } from './ui/logo';
import { ThemeToggle } from './ui/theme-toggle';

export function AuthForm({ mode }: { mode: 'login' | 'signup' }) {
  const session = useSession();
  const router = useRouter();
  const search = useSearchParams();
  const next = search.get('next');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const target = next?.startsWith('/') && !next.startsWith('//') ? next : '/';

  useEffect(() => {
    if (session.status === 'signed-in') router.replace(target);
  }, [session.status, router, target]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'login') await session.logIn(email, password);
      else await session.signUp(email, password, name.trim() || undefined);
      router.replace(mode === 'signup' && !next ? '/teams/new' : target);
    } catch (err) {
      const d = describeError(err);
      setError(d.code === 'UNAUTHENTICATED' ? 'Wrong email or password.' : d.detail);
      setBusy(false);
    }
  }

  const login = mode === 'login';
  return (
    <main className="auth-page">
      <div style={{ position: 'fixed', top: 12, right: 12 }}>
        <ThemeToggle />
      </div>
      <div className="card auth-card">
        <div className="brand" style={{ marginBottom: 14 }}>
          <Logo />
          <span>Posterior</span>
        </div>
        <h1>{login ? 'Log in' : 'Create your account'}</h1>
        <p className="muted" style={{ margin: '6px 0 0' }}>
          {login ? 'Welcome back.' : 'Track and optimize your experiments with your team.'}
        </p>
        <form onSubmit={submit} aria-label={login ? 'Log in' : 'Sign up'} noValidate>
          {!login ? (
            <div className="field">
              <label htmlFor="name">Name</label>
              <input
                id="name"
                type="text"
                autoComplete="name"
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </div>
          ) : null}
          <div className="field">
            <label htmlFor="email">Email</label>
            <input
              id="email"
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-invalid={error ? true : undefined}
            />
          </div>
          <div className="field">
            <label htmlFor="password">Password</label>
            <input
              id="password"
              type="password"
              autoComplete={login ? 'current-password' : 'new-password'}
              required
              minLength={login ? undefined : 8}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={!login ? 'pw-hint' : undefined}
            />
            {!login ? (
              <span id="pw-hint" className="field-hint">
                At least 8 characters.
              </span>
            ) : null}
          </div>
          {error ? (
            <div className="alert alert-error" role="alert">
              {error}
            </div>
          ) : null}
          <button className="btn btn-primary" type="submit" disabled={busy || !email || !password}>
            {busy ? 'Please wait…' : login ? 'Log in' : 'Sign up'}
          </button>
        </form>
        <p className="muted" style={{ marginTop: 16, fontSize: 13 }}>
          {login ? (
            <>
              New here?{' '}
              <Link href={`/signup${next ? `?next=${encodeURIComponent(next)}` : ''}`}>
                Create an account
              </Link>
            </>
          ) : (
            <>
              Already have an account? <Link href="/login">Log in</Link>
            </>
          )}
        </p>
      </div>
    </main>
  );
}
