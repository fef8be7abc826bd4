'use client';

import { type FormEvent, useState } from 'react';
import { activeNames, parseChoice } from '../../lib/search-space';
import type { Params, ParamValue, SearchSpace } from '../../lib/types';
import { FormDialogFooter, useFormDialog } from './form-dialog';

/** "Enqueue trial": a value per parameter (a select for categoricals), sent with enqueueTrial. */
export function EnqueueDialog({
  space,
  onEnqueue,
  disabled,
}: {
  space: SearchSpace;
  onEnqueue: (p: Params) => Promise<void>;
  disabled?: boolean;
}) {
  const { ref, error, setError, busy, send } = useFormDialog();
  const [values, setValues] = useState<Record<string, string>>({});
  const open = () => {
    const init: Record<string, string> = {};
    for (const p of space)
      init[p.name] = p.type === 'categorical' ? String(p.choices[0] ?? '') : String(p.low);
    setValues(init);
    setError(null);
    ref.current?.showModal();
  };
  async function submit(e: FormEvent) {
    e.preventDefault();
    const params: Record<string, ParamValue> = {};
    const active = activeNames(space, values);
    for (const p of space) {
      // A conditional space's inactive parameters are left out (the API rejects them).
      if (!active.has(p.name)) continue;
      const raw = values[p.name] ?? '';
      if (p.type === 'categorical') {
        const found = p.choices.find((c) => String(c) === raw);
        params[p.name] = found ?? parseChoice(raw);
      } else {
        const n = Number(raw);
        if (raw.trim() === '' || !Number.isFinite(n)) {
          setError(`${p.name}: enter a number.`);
          return;
        }
        params[p.name] = n;
      }
    }
    await send(() => onEnqueue(params));
  }
  const active = activeNames(space, values);
  return (
    <>
      <button type="button" className="btn" onClick={open} disabled={disabled}>
        Enqueue trial
      </button>
      <dialog ref={ref} aria-labelledby="enqueue-title">
        <form onSubmit={submit} className="stack" style={{ gap: 14 }}>
          <div>
            <h2 id="enqueue-title">Enqueue a trial</h2>
            <p className="muted" style={{ margin: '4px 0 0', fontSize: 13 }}>
              The next free worker runs these parameters before asking the sampler.
            </p>
          </div>
          <div className="form-grid">
            {space.map((p) => {
              if (!active.has(p.name)) return null;
              const id = `enq-${p.name}`;
              return (
                <div className="field" key={p.name}>
                  <label htmlFor={id}>{p.name}</label>
                  {p.type === 'categorical' ? (
                    <select
                      id={id}
                      value={values[p.name] ?? ''}
                      onChange={(e) => setValues({ ...values, [p.name]: e.target.value })}
                    >
                      {p.choices.map((c) => (
                        <option key={String(c)} value={String(c)}>
                          {String(c)}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <>
                      <input
                        id={id}
                        type="number"
                        step={p.step ?? (p.type === 'int' ? 1 : 'any')}
                        min={p.low}
                        max={p.high}
                        required
                        value={values[p.name] ?? ''}
                        onChange={(e) => setValues({ ...values, [p.name]: e.target.value })}
                      />
                      <span className="field-hint">
                        {p.type} in [{p.low}, {p.high}]{p.log ? ', log' : ''}
                        {p.step ? `, step ${p.step}` : ''}
                      </span>
                    </>
                  )}
                </div>
              );
            })}
          </div>
          <FormDialogFooter
            dialog={ref}
            error={error}
            busy={busy}
            submitLabel={busy ? 'Enqueuing…' : 'Enqueue'}
          />
        </form>
      </dialog>
    </>
  );
}
