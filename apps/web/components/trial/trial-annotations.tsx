'use client';

import { useState } from 'react';
import { MAX_NOTE_CHARS, parseTagInput, tagInputOf } from '../../lib/annotations';
import { describeError, getClient } from '../../lib/api/client';

/**
 * A trial's note and tags (issue 15 item 8): shown to everyone, edited by MEMBER or above (the API
 * refuses viewers; the form is not offered to them). Works on a finished trial too.
 */
export function TrialAnnotations({
  trialId,
  note,
  tags,
  canEdit,
}: {
  trialId: string;
  note: string | null;
  tags: readonly string[];
  canEdit: boolean;
}) {
  const [saved, setSaved] = useState({ note, tags });
  const [editing, setEditing] = useState(false);
  const [noteText, setNoteText] = useState(note ?? '');
  const [tagText, setTagText] = useState(tagInputOf(tags));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    const parsed = parseTagInput(tagText);
    if (parsed.error !== null) return setError(parsed.error);
    if (noteText.length > MAX_NOTE_CHARS) return setError(`A note is at most ${MAX_NOTE_CHARS} characters.`);
    setBusy(true);
    setError(null);
    try {
      const client = getClient();
      const afterNote = await client.setTrialNote(trialId, noteText.trim() === '' ? null : noteText);
      const afterTags = await client.setTrialTags(trialId, parsed.tags);
      setSaved({ note: afterNote.note ?? null, tags: afterTags.tags });
      setEditing(false);
    } catch (err) {
      setError(describeError(err).detail);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="notes-h">
      <div className="card-head">
        <h2 id="notes-h">Notes and tags</h2>
        {canEdit && !editing ? (
          <button
            type="button"
            className="btn btn-sm"
            onClick={() => {
              setNoteText(saved.note ?? '');
              setTagText(tagInputOf(saved.tags));
              setEditing(true);
            }}
          >
            Edit
          </button>
        ) : null}
      </div>
      <div className="card-body">
        {editing ? (
          <form className="stack" onSubmit={save} aria-label="Edit note and tags" noValidate>
            <div className="field">
              <label htmlFor="trial-tags">Tags (comma-separated)</label>
              <input
                id="trial-tags"
                type="text"
                value={tagText}
                onChange={(e) => setTagText(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="trial-note">Note</label>
              <textarea
                id="trial-note"
                rows={4}
                value={noteText}
                onChange={(e) => setNoteText(e.target.value)}
              />
            </div>
            {error ? (
              <span className="field-error" role="alert">
                {error}
              </span>
            ) : null}
            <div className="row" style={{ justifyContent: 'flex-end' }}>
              <button type="button" className="btn" onClick={() => setEditing(false)} disabled={busy}>
                Cancel
              </button>
              <button type="submit" className="btn btn-primary" disabled={busy}>
                {busy ? 'Saving…' : 'Save'}
              </button>
            </div>
          </form>
        ) : (
          <dl className="dl">
            <dt>Tags</dt>
            <dd>
              {saved.tags.length ? (
                saved.tags.map((tag) => (
                  <span key={tag} className="badge" style={{ marginRight: 4 }}>
                    {tag}
                  </span>
                ))
              ) : (
                <span className="muted">none</span>
              )}
            </dd>
            <dt>Note</dt>
            <dd style={{ whiteSpace: 'pre-wrap' }} className={saved.note ? undefined : 'muted'}>
              {saved.note ?? 'none'}
            </dd>
          </dl>
        )}
      </div>
    </section>
  );
}
