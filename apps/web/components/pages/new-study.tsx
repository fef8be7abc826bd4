'use client';

import { isPosteriorError } from '@posterior/sdk';
import { useRouter } from 'next/navigation';
import { type ChangeEvent, type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { describeError, getClient } from '../../lib/api/client';
import { toCreateStudyInput } from '../../lib/api/convert';
import { loadStudy } from '../../lib/api/queries';
import { emptyDraft, type FieldErrors, type ParamDraft } from '../../lib/search-space';
import {
  apiErrorText,
  constraintDraft,
  emptyForm,
  fieldForApiError,
  formFromFile,
  formFromStudy,
  formToInput,
  objectiveDraft,
  PRUNERS,
  SAMPLERS,
  type StudyForm,
} from '../../lib/study-form';
import { FieldError } from '../ui/states';

function Field({
  id,
  label,
  error,
  hint,
  children,
}: {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && !error ? (
        <span className="field-hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

/** aria props tying an input to its error message. */
const invalid = (id: string, error: string | undefined) =>
  error ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-error` } : {};

type DraftText = 'name' | 'choices' | 'low' | 'high' | 'step';

/** One text field of a parameter row, bound to `d[field]`, with its label, hint and error. */
function DraftInput({
  d,
  i,
  field,
  label,
  errors,
  onChange,
  hint,
  decimal,
  placeholder,
}: {
  d: ParamDraft;
  i: number;
  field: DraftText;
  label: string;
  errors: FieldErrors;
  onChange: (d: ParamDraft) => void;
  hint?: string;
  decimal?: boolean;
  placeholder?: string;
}) {
  const id = `param-${i}-${field}`;
  const error = errors[`searchSpace.${i}.${field}`];
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      <input
        id={id}
        type="text"
        inputMode={decimal ? 'decimal' : undefined}
        placeholder={placeholder}
        value={d[field]}
        onChange={(ev) => onChange({ ...d, [field]: ev.target.value })}
        {...invalid(id, error)}
      />
    </Field>
  );
}

function ParamRow({
  d,
  i,
  errors,
  onChange,
  onRemove,
}: {
  d: ParamDraft;
  i: number;
  errors: FieldErrors;
  onChange: (d: ParamDraft) => void;
  onRemove: () => void;
}) {
  const input = { d, i, errors, onChange };
  const label = d.name || `parameter ${i + 1}`;
  return (
    <fieldset className="param-row" style={{ border: 0, margin: 0 }} aria-label={`Parameter ${i + 1}`}>
      <DraftInput {...input} field="name" label="Name" />
      <Field id={`param-${i}-type`} label="Type">
        <select
          id={`param-${i}-type`}
          value={d.type}
          onChange={(ev) => onChange({ ...d, type: ev.target.value as ParamDraft['type'] })}
        >
          <option value="float">float</option>
          <option value="int">int</option>
          <option value="categorical">categorical</option>
        </select>
      </Field>
      {d.type === 'categorical' ? (
        <div className="cat">
          <DraftInput
            {...input}
            field="choices"
            label="Choices"
            hint="Comma-separated: 16, 32, 64 or relu, gelu"
          />
        </div>
      ) : (
        <>
          <DraftInput {...input} field="low" label="Low" decimal />
          <DraftInput {...input} field="high" label="High" decimal />
          <DraftInput {...input} field="step" label="Step" decimal placeholder="none" />
        </>
      )}
      <div className="field">
        <span className="field-label" aria-hidden="true">
          &nbsp;
        </span>
        {d.type !== 'categorical' ? (
          <label className="check" style={{ height: 32 }}>
            <input
              type="checkbox"
              checked={d.log}
              onChange={(ev) => onChange({ ...d, log: ev.target.checked })}
            />
            Log
          </label>
        ) : null}
      </div>
      <RemoveButton label={label} onClick={onRemove} />
    </fieldset>
  );
}

function RemoveButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <div className="field">
      <span className="field-label" aria-hidden="true">
        &nbsp;
      </span>
      <button
        type="button"
        className="btn btn-ghost btn-icon"
        onClick={onClick}
        aria-label={`Remove ${label}`}
        title={`Remove ${label}`}
      >
        ✕
      </button>
    </div>
  );
}

export function NewStudy({ teamId }: { teamId: string }) {
  const router = useRouter();
  const [form, setForm] = useState<StudyForm>(emptyForm);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const set = (patch: Partial<StudyForm>) => {
    const next = { ...form, ...patch };
    setForm(next);
    if (submitted) setErrors(formToInput(next, teamId).errors);
  };
  // "Clone with edits" on a study page opens this form with ?from=<study id>.
  useEffect(() => {
    const from = new URLSearchParams(window.location.search).get('from');
    if (!from) return;
    const ctl = new AbortController();
    loadStudy(from, ctl.signal).then(
      (study) => {
        if (!study || ctl.signal.aborted) return;
        setForm(formFromStudy(study));
        setNotice(`Copied from ${study.name}. Edit what should differ, then create the study.`);
      },
      (e: unknown) => {
        if (!ctl.signal.aborted) setNotice(`Could not copy the study: ${describeError(e).detail}`);
      },
    );
    return () => ctl.abort();
  }, []);
  const setParam = (i: number, d: ParamDraft) =>
    set({ params: form.params.map((p, j) => (j === i ? d : p)) });

  async function onFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    const { form: next, error } = formFromFile(await file.text(), form);
    if (error) {
      setErrors({ file: error });
      return;
    }
    setForm(next);
    setErrors(submitted ? formToInput(next, teamId).errors : {});
    setNotice(`Imported ${file.name}. Review the fields, then create the study.`);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    setNotice(null);
    const { input, errors: errs } = formToInput(form, teamId);
    setErrors(errs);
    if (Object.keys(errs).length) {
      const first = Object.keys(errs)[0] ?? '';
      const el = document.getElementById(
        first.startsWith('searchSpace.') ? `param-${first.split('.')[1]}-${first.split('.')[2]}` : first,
      );
      el?.focus();
      return;
    }
    setBusy(true);
    try {
      const study = await getClient().createStudy(toCreateStudyInput(input));
      router.push(`/studies/${study.id}`);
    } catch (err) {
      setBusy(false);
      if (isPosteriorError(err, 'BAD_USER_INPUT')) {
        const field = fieldForApiError(
          err.message,
          null,
          form.params.map((p) => p.name.trim()),
        );
        setErrors({ [field]: field === 'form' ? err.message : apiErrorText(err.message) });
        const [, entry, sub] = field.split('.');
        document.getElementById(field.startsWith('searchSpace.') ? `param-${entry}-${sub}` : field)?.focus();
      } else {
        setErrors({ form: describeError(err).detail });
      }
    }
  }

  return (
    <form className="stack" onSubmit={submit} noValidate aria-label="Create study">
      <div className="page-head">
        <div>
          <h1>New study</h1>
          <div className="sub">
            Define what to search and how; workers pick trials up as soon as it exists.
          </div>
        </div>
        <div className="row">
          <label className="btn" htmlFor="study-file" style={{ cursor: 'pointer' }}>
            Import YAML / JSON…
          </label>
          <input
            id="study-file"
            type="file"
            accept=".yaml,.yml,.json,application/json,text/yaml"
            onChange={onFile}
            className="sr-only"
            aria-label="Import a study file"
          />
        </div>
      </div>
      {errors.file ? (
        <div className="alert alert-error" role="alert">
          {errors.file}
        </div>
      ) : null}
      {notice ? (
        <div className="alert alert-good" role="status">
          {notice}
        </div>
      ) : null}
      <section className="card" aria-labelledby="basics">
        <div className="card-head">
          <div>
            <h2 id="basics">{form.moreObjectives.length ? 'Objectives' : 'Objective'}</h2>
            <div className="desc">
              Several objectives make a multi-objective study (its Pareto front replaces the best trial); a
              constraint is a metric that must stay ≤ 0.
            </div>
          </div>
          <div className="card-actions">
            <button
              type="button"
              className="btn btn-sm"
              disabled={form.moreObjectives.length >= 3}
              onClick={() => set({ moreObjectives: [...form.moreObjectives, objectiveDraft()] })}
            >
              + objective
            </button>
            <button
              type="button"
              className="btn btn-sm"
              disabled={form.constraints.length >= 8}
              onClick={() => set({ constraints: [...form.constraints, constraintDraft()] })}
            >
              + constraint
            </button>
          </div>
        </div>
        <div className="card-body form-grid">
          <Field id="name" label="Study name" error={errors.name}>
            <input
              id="name"
              type="text"
              value={form.name}
              onChange={(e) => set({ name: e.target.value })}
              {...invalid('name', errors.name)}
            />
          </Field>
          <Field
            id="objective"
            label="Objective metric"
            error={errors.objective}
            hint="The reported metric to optimize"
          >
            <input
              id="objective"
              type="text"
              value={form.objective}
              onChange={(e) => set({ objective: e.target.value })}
              {...invalid('objective', errors.objective)}
            />
          </Field>
          <Field id="direction" label="Direction">
            <select
              id="direction"
              value={form.direction}
              onChange={(e) => set({ direction: e.target.value === 'MAXIMIZE' ? 'MAXIMIZE' : 'MINIMIZE' })}
            >
              <option value="MINIMIZE">Minimize</option>
              <option value="MAXIMIZE">Maximize</option>
            </select>
          </Field>
          {form.moreObjectives.map((o, i) => {
            const n = i + 1;
            const err = errors[`objectives.${n}.name`];
            const setO = (patch: Partial<typeof o>) =>
              set({ moreObjectives: form.moreObjectives.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
            return (
              <fieldset
                key={o.key}
                className="objective-row"
                style={{ border: 0, margin: 0, padding: 0 }}
                aria-label={`Objective ${n + 1}`}
              >
                <Field id={`objectives.${n}.name`} label={`Objective ${n + 1} metric`} error={err}>
                  <input
                    id={`objectives.${n}.name`}
                    type="text"
                    value={o.name}
                    onChange={(e) => setO({ name: e.target.value })}
                    {...invalid(`objectives.${n}.name`, err)}
                  />
                </Field>
                <Field id={`objectives.${n}.direction`} label={`Objective ${n + 1} direction`}>
                  <select
                    id={`objectives.${n}.direction`}
                    value={o.direction}
                    onChange={(e) =>
                      setO({ direction: e.target.value === 'MAXIMIZE' ? 'MAXIMIZE' : 'MINIMIZE' })
                    }
                  >
                    <option value="MINIMIZE">Minimize</option>
                    <option value="MAXIMIZE">Maximize</option>
                  </select>
                </Field>
                <RemoveButton
                  label={`objective ${o.name || n + 1}`}
                  onClick={() => set({ moreObjectives: form.moreObjectives.filter((_, j) => j !== i) })}
                />
              </fieldset>
            );
          })}
          {form.moreObjectives.length ? (
            <Field
              id="referencePoint"
              label="Reference point (optional)"
              error={errors.referencePoint}
              hint="For the hypervolume: one value per objective, comma-separated; empty infers it"
            >
              <input
                id="referencePoint"
                type="text"
                inputMode="decimal"
                value={form.referencePoint}
                placeholder="inferred from the trials"
                onChange={(e) => set({ referencePoint: e.target.value })}
                {...invalid('referencePoint', errors.referencePoint)}
              />
            </Field>
          ) : null}
          {form.constraints.map((c, i) => {
            const err = errors[`constraints.${i}.name`];
            return (
              <fieldset
                key={c.key}
                className="objective-row"
                style={{ border: 0, margin: 0, padding: 0 }}
                aria-label={`Constraint ${i + 1}`}
              >
                <Field
                  id={`constraints.${i}.name`}
                  label={`Constraint ${i + 1} metric`}
                  error={err}
                  hint="Feasible when its value is ≤ 0"
                >
                  <input
                    id={`constraints.${i}.name`}
                    type="text"
                    value={c.name}
                    onChange={(e) =>
                      set({
                        constraints: form.constraints.map((x, j) =>
                          j === i ? { ...x, name: e.target.value } : x,
                        ),
                      })
                    }
                    {...invalid(`constraints.${i}.name`, err)}
                  />
                </Field>
                <RemoveButton
                  label={`constraint ${c.name || i + 1}`}
                  onClick={() => set({ constraints: form.constraints.filter((_, j) => j !== i) })}
                />
              </fieldset>
            );
          })}
        </div>
      </section>
      <section className="card" aria-labelledby="space">
        <div className="card-head">
          <div>
            <h2 id="space">Search space</h2>
            <div className="desc">
              Floats and ints take a range with optional log scale or step; categoricals a list of choices.
            </div>
          </div>
          <div className="card-actions">
            {(['float', 'int', 'categorical'] as const).map((t) => (
              <button
                key={t}
                type="button"
                className="btn btn-sm"
                onClick={() => set({ params: [...form.params, emptyDraft(t)] })}
              >
                + {t}
              </button>
            ))}
          </div>
        </div>
        <div className="card-body">
          {errors.searchSpace ? (
            <div className="alert alert-error" role="alert" id="searchSpace" tabIndex={-1}>
              {errors.searchSpace}
            </div>
          ) : null}
          {form.params.length === 0 ? (
            <p className="muted">No parameters yet: add one with the buttons above.</p>
          ) : null}
          {form.params.map((d, i) => (
            <ParamRow
              key={d.key}
              d={d}
              i={i}
              errors={errors}
              onChange={(nd) => setParam(i, nd)}
              onRemove={() => set({ params: form.params.filter((_, j) => j !== i) })}
            />
          ))}
        </div>
      </section>
      <section className="card" aria-labelledby="strategy">
        <div className="card-head">
          <h2 id="strategy">Strategy and budget</h2>
        </div>
        <div className="card-body form-grid">
          <Field id="sampler" label="Sampler">
            <select id="sampler" value={form.sampler} onChange={(e) => set({ sampler: e.target.value })}>
              {SAMPLERS.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
              {SAMPLERS.some((s) => s.value === form.sampler) ? null : (
                <option value={form.sampler}>{form.sampler}</option>
              )}
            </select>
          </Field>
          <Field id="seed" label="Seed" error={errors.seed} hint="Optional; same seed, same suggestions">
            <input
              id="seed"
              type="text"
              inputMode="numeric"
              value={form.seed}
              onChange={(e) => set({ seed: e.target.value })}
              {...invalid('seed', errors.seed)}
            />
          </Field>
          <Field
            id="samplerOptions"
            label="Sampler options (JSON)"
            error={errors.samplerOptions}
            hint='e.g. {"nStartupTrials": 8}'
          >
            <input
              id="samplerOptions"
              type="text"
              value={form.samplerOptions}
              onChange={(e) => set({ samplerOptions: e.target.value })}
              {...invalid('samplerOptions', errors.samplerOptions)}
            />
          </Field>
          <Field id="pruner" label="Pruner">
            <select id="pruner" value={form.pruner} onChange={(e) => set({ pruner: e.target.value })}>
              {PRUNERS.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
              {PRUNERS.some((s) => s.value === form.pruner) ? null : (
                <option value={form.pruner}>{form.pruner}</option>
              )}
            </select>
          </Field>
          <Field id="prunerOptions" label="Pruner options (JSON)" error={errors.prunerOptions}>
            <input
              id="prunerOptions"
              type="text"
              value={form.prunerOptions}
              onChange={(e) => set({ prunerOptions: e.target.value })}
              {...invalid('prunerOptions', errors.prunerOptions)}
            />
          </Field>
          <Field id="maxTrials" label="Budget (trials)" error={errors.maxTrials}>
            <input
              id="maxTrials"
              type="text"
              inputMode="numeric"
              value={form.maxTrials}
              onChange={(e) => set({ maxTrials: e.target.value })}
              {...invalid('maxTrials', errors.maxTrials)}
            />
          </Field>
          <Field
            id="parallelism"
            label="Parallelism"
            error={errors.parallelism}
            hint="Trials running at once"
          >
            <input
              id="parallelism"
              type="text"
              inputMode="numeric"
              value={form.parallelism}
              onChange={(e) => set({ parallelism: e.target.value })}
              {...invalid('parallelism', errors.parallelism)}
            />
          </Field>
          <Field id="heartbeatTimeoutS" label="Heartbeat timeout (s)" error={errors.heartbeatTimeoutS}>
            <input
              id="heartbeatTimeoutS"
              type="text"
              inputMode="numeric"
              value={form.heartbeatTimeoutS}
              onChange={(e) => set({ heartbeatTimeoutS: e.target.value })}
              {...invalid('heartbeatTimeoutS', errors.heartbeatTimeoutS)}
            />
          </Field>
          <Field id="retryFailed" label="Retries of failed trials" error={errors.retryFailed}>
            <input
              id="retryFailed"
              type="text"
              inputMode="numeric"
              value={form.retryFailed}
              onChange={(e) => set({ retryFailed: e.target.value })}
              {...invalid('retryFailed', errors.retryFailed)}
            />
          </Field>
        </div>
      </section>
      {errors.form ? (
        <div className="alert alert-error" role="alert">
          {errors.form}
        </div>
      ) : null}
      {submitted && Object.keys(errors).length > 0 && !errors.form ? (
        <div className="alert alert-error" role="alert">
          Fix the highlighted fields ({Object.keys(errors).length}) and submit again.
        </div>
      ) : null}
      <div className="row" style={{ justifyContent: 'flex-end' }}>
        <button type="button" className="btn" onClick={() => router.back()}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create study'}
        </button>
      </div>
    </form>
  );
}
