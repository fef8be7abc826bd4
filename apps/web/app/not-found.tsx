import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="auth-page">
      <div className="card auth-card" style={{ textAlign: 'center' }}>
        <h1>Page not found</h1>
        <p className="muted">The address is wrong, or the page belongs to a team you are not in.</p>
        <Link className="btn btn-primary" href="/">
          Go to your studies
        </Link>
      </div>
    </main>
  );
}
