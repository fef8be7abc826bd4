'use client';

import { type FormEvent, useState } from 'react';
import { FormDialogFooter, useFormDialog } from './form-dialog';

/** "Change budget": a new maxTrials (at least the trials already used); a finished study can run again. */
export function BudgetDialog({
  current,
  used,
  finished,
  onSubmit,
}: {
  current: number | null;
  used: number;
  finished: boolean;
  onSubmit: (maxTrials: number, resume: boolean) => Promise<void>;
}) {
  const { ref, error, setError, busy, send } = useFormDialog();
  const [value, setValue] = useState('');
  const open = () => {
    setValue(String(Math.max(used, current ?? used) + 10));
    setError(null);
    ref.current?.showModal();
  };
  async function submit(e: FormEvent) {
    e.preventDefault();
    const n = Number(value);
    if (!Number.isInteger(n) || n < Math.max(1, used)) {
      setError(`Enter a whole number of at least ${Math.max(1, used)} (the trials already used).`);
      return;
    }
    await send(() => onSubmit(n, finished && n > used));
  }
  return (
    <>
      <button type="button" className="btn" onClick={open}>
        {finished ? 'Raise budget' : 'Change budget'}
      </button>
      <dialog ref={ref} aria-labelledby="budget-title">
        <form onSubmit={submit} className="stack" style={{ gap: 14 }}>
          <div>
            <h2 id="budget-title">{finished ? 'Raise the budget' : 'Change the budget'}</h2>
            <p className="muted" style={{ margin: '4px 0 0', fontSize: 13 }}>
              {used.toLocaleString('en-US')} of{' '}
              {current === null ? 'unlimited' : current.toLocaleString('en-US')} trials used.
              {finished ? ' A higher budget resumes the study: start workers to run the new trials.' : ''}
            </p>
          </div>
          <div className="field">
            <label htmlFor="budget-max">Budget (trials)</label>
            <input
              id="budget-max"
              type="number"
              min={Math.max(1, used)}
              step={1}
              required
              value={value}
              onChange={(e) => setValue(e.target.value)}
            />
          </div>
          <FormDialogFooter
            dialog={ref}
            error={error}
            busy={busy}
            submitLabel={busy ? 'Saving…' : finished ? 'Raise and resume' : 'Save'}
          />
        </form>
      </dialog>
    </>
  );
}
