'use client';

import { useEffect, useState } from 'react';
import {
  type Attribute,
  attributeInputOf,
  MAX_NOTE_CHARS,
  parseAttributeInput,
  parseTagInput,
  tagInputOf,
} from '../../lib/annotations';
import { describeError, getClient } from '../../lib/api/client';

/**
 * A trial's note, tags and attributes (issue 15 item 8): shown to everyone, edited by MEMBER or above
 * (the API refuses viewers; the form is not offered to them). Works on a finished trial too. The
 * shown values follow the props (live events) unless a save of this form is newer.
 */
export function TrialAnnotations({
  trialId,
  note,
  tags,
  attributes,
  canEdit,
}: {
  trialId: string;
  note: string | null;
  tags: readonly string[];
  attributes: readonly Attribute[];
  canEdit: boolean;
}) {
  const [saved, setSaved] = useState({ note, tags, attributes });
  useEffect(() => setSaved({ note, tags, attributes }), [note, tags, attributes]);
  const [editing, setEditing] = useState(false);
  const [noteText, setNoteText] = useState(note ?? '');
  const [tagText, setTagText] = useState(tagInputOf(tags));
  const [attrText, setAttrText] = useState(attributeInputOf(attributes));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    const parsed = parseTagInput(tagText);
    if (parsed.error !== null) return setError(parsed.error);
    const attrs = parseAttributeInput(attrText);
    if (attrs.error !== null) return setError(attrs.error);
    if (noteText.length > MAX_NOTE_CHARS) return setError(`A note is at most ${MAX_NOTE_CHARS} characters.`);
    setBusy(true);
    setError(null);
    try {
      const client = getClient();
      const afterNote = await client.setTrialNote(trialId, noteText.trim() === '' ? null : noteText);
      const afterTags = await client.setTrialTags(trialId, parsed.tags);
      const afterAttrs = await client.setTrialAttributes(
        trialId,
        Object.fromEntries(attrs.attributes.map((a) => [a.key, a.value])),
        { replace: true },
      );
      setSaved({ note: afterNote.note ?? null, tags: afterTags.tags, attributes: afterAttrs.attributes });
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
        <h2 id="notes-h">Notes, tags and attributes</h2>
        {canEdit && !editing ? (
          <button
            type="button"
            className="btn btn-sm"
            onClick={() => {
              setNoteText(saved.note ?? '');
              setTagText(tagInputOf(saved.tags));
              setAttrText(attributeInputOf(saved.attributes));
              setEditing(true);
            }}
          >
            Edit
          </button>
        ) : null}
      </div>
      <div className="card-body">
        {editing ? (
          <form className="stack" onSubmit={save} aria-label="Edit note, tags and attributes" noValidate>
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
            <div className="field">
              <label htmlFor="trial-attrs">Attributes (one key = value per line)</label>
              <textarea
                id="trial-attrs"
                className="mono"
                rows={4}
                placeholder={'batch = 64\ndataset = v2\nshuffle = true'}
                value={attrText}
                onChange={(e) => setAttrText(e.target.value)}
              />
              <span className="faint" style={{ fontSize: 12 }}>
                Numbers and true/false are typed; quote a value to keep it text.
              </span>
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
            <dt>Attributes</dt>
            <dd>
              {saved.attributes.length ? (
                <ul className="attr-list" aria-label="Attributes">
                  {saved.attributes.map((a) => (
                    <li key={a.key}>
                      <span className="mono attr-key">{a.key}</span>
                      <span className="faint"> = </span>
                      <span className="mono attr-value" data-type={typeof a.value}>
                        {typeof a.value === 'string' ? a.value : String(a.value)}
                      </span>
                    </li>
                  ))}
                </ul>
              ) : (
                <span className="muted">none</span>
              )}
            </dd>
          </dl>
        )}
      </div>
    </section>
  );
}
