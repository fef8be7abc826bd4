'use client';

import { type RefObject, useRef, useState } from 'react';
import { describeError } from '../../lib/api/client';

/** A modal form's state: its <dialog>, why the last submit failed, and whether a submit is in flight. */
export function useFormDialog() {
  const ref = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** Runs the submit: the dialog closes when it succeeds and says why when it fails. */
  async function send(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await action();
      ref.current?.close();
    } catch (err) {
      setError(describeError(err).detail);
    } finally {
      setBusy(false);
    }
  }
  return { ref, error, setError, busy, send };
}

/** The end of a modal form: why the last submit failed, then Cancel and the submit button. */
export function FormDialogFooter({
  dialog,
  error,
  busy,
  submitLabel,
}: {
  dialog: RefObject<HTMLDialogElement | null>;
  error: string | null;
  busy: boolean;
  submitLabel: string;
}) {
  return (
    <>
      {error ? (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      ) : null}
      <div className="row" style={{ justifyContent: 'flex-end' }}>
        <button type="button" className="btn" onClick={() => dialog.current?.close()}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {submitLabel}
        </button>
      </div>
    </>
  );
}
