import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * "Terminal states never change", for the whole outcome of a run: the first trigger
 * (1764270000000) guarded state, value, params and finished_at, so a stray UPDATE could still rewrite
 * a finished trial's objective values, constraint values, error, pruner decision, log tail or
 * environment. Now every column a worker's run decided is guarded. Left editable: the annotations
 * (note, tags, attributes; people edit them on finished trials by design), heartbeat_at (a late
 * heartbeat stamp is harmless), retry_of (its foreign key is ON DELETE SET NULL) and request_key.
 * Same trigger, constraint name and SQLSTATE as before; the message and COLUMN name the first
 * changed column. Writing the same values again (an idempotent retry) still passes.
 */
// Both bodies written out (nothing imported) so this migration never changes after it shipped.
const GUARDED = [
  'state',
  'value',
  'values',
  'constraint_values',
  'params',
  'finished_at',
  'started_at',
  'error',
  'prune_step',
  'prune_reason',
  'log_tail',
  'environment',
  'suggestion',
  'worker_id',
  'number',
  'study_id',
];

const WIDE_BODY = `
  DECLARE changed text;
  BEGIN
    changed := CASE
${GUARDED.map((c) => `      WHEN NEW."${c}" IS DISTINCT FROM OLD."${c}" THEN '${c}'`).join('\n')}
    END;
    IF changed IS NOT NULL THEN
      RAISE EXCEPTION 'trial % is %: a finished trial never changes (%)', OLD."id", OLD."state", changed
        USING ERRCODE = 'check_violation', CONSTRAINT = 'TRG_trials_terminal_immutable',
              TABLE = 'trials', COLUMN = changed;
    END IF;
    RETURN NEW;
  END`;

const NARROW_BODY = `
      BEGIN
        IF NEW."state" IS DISTINCT FROM OLD."state"
           OR NEW."value" IS DISTINCT FROM OLD."value"
           OR NEW."params" IS DISTINCT FROM OLD."params"
           OR NEW."finished_at" IS DISTINCT FROM OLD."finished_at" THEN
          RAISE EXCEPTION 'trial % is %: a finished trial never changes', OLD."id", OLD."state"
            USING ERRCODE = 'check_violation', CONSTRAINT = 'TRG_trials_terminal_immutable',
                  TABLE = 'trials';
        END IF;
        RETURN NEW;
      END
      `;

export class FinishedTrialOutcomesImmutable1764360000000 implements MigrationInterface {
  name = 'FinishedTrialOutcomesImmutable1764360000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE OR REPLACE FUNCTION "trials_terminal_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$${WIDE_BODY}$$`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE OR REPLACE FUNCTION "trials_terminal_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$${NARROW_BODY}$$`,
    );
  }
}
