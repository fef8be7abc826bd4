'use client';

import { useState } from 'react';
import { MAX_NOTE_CHARS } from '../../lib/annotations';
import { describeError } from '../../lib/api/client';

/** The study description's bound (docs/DESIGN.md 5e), the same as a trial note's. */
const MAX_DESCRIPTION_CHARS = MAX_NOTE_CHARS;

/**
 * The study's description under its title: shown to everyone; MEMBER or above edit it in place
 * (`onSave` null hides the editor, as for viewers). Empty clears it.
 */
export function StudyDescription({
  description,
  onSave,
}: {
  description: string | null;
  onSave: ((description: string | null) => Promise<void>) | null;
}) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(description ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (editing && onSave) {
    return (
      <form
        className="stack description-form"
        aria-label="Edit study description"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          if (text.length > MAX_DESCRIPTION_CHARS)
            return setError(
              `A description is at most ${MAX_DESCRIPTION_CHARS.toLocaleString('en-US')} characters.`,
            );
          setBusy(true);
          setError(null);
          try {
            await onSave(text.trim() === '' ? null : text);
            setEditing(false);
          } catch (err) {
            setError(describeError(err).detail);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label htmlFor="study-description" className="sr-only">
          Study description
        </label>
        <textarea
          id="study-description"
          rows={3}
          value={text}
          placeholder="What this study is for, what changed since the last one…"
          onChange={(e) => setText(e.target.value)}
        />
        {error ? (
          <span className="field-error" role="alert">
            {error}
          </span>
        ) : null}
        <div className="row">
          <button type="submit" className="btn btn-primary btn-sm" disabled={busy}>
            {busy ? 'Saving…' : 'Save description'}
          </button>
          <button type="button" className="btn btn-sm" onClick={() => setEditing(false)} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    );
  }
  return (
    <div className="row description-row" style={{ alignItems: 'flex-start', gap: 8 }}>
      {description ? (
        <p className="sub description-text" data-testid="study-description">
          {description}
        </p>
      ) : null}
      {onSave ? (
        <button
          type="button"
          className="btn btn-sm btn-ghost"
          onClick={() => {
            setText(description ?? '');
            setError(null);
            setEditing(true);
          }}
        >
          {description ? 'Edit description' : 'Add a description'}
        </button>
      ) : null}
    </div>
  );
}
