import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * "Terminal states never change" (docs/DESIGN.md section 4), enforced by the database: once a trial is
 * COMPLETE, PRUNED or FAILED, an UPDATE may not change its state, value, params or finished_at.
 * Raised as a check_violation naming `TRG_trials_terminal_immutable`, like a CHECK constraint.
 * Writing the same values again (an idempotent retry) passes.
 */
export class TerminalTrialsImmutable1764270000000 implements MigrationInterface {
  name = 'TerminalTrialsImmutable1764270000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION "trials_terminal_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
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
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "TRG_trials_terminal_immutable"
      BEFORE UPDATE ON "trials"
      FOR EACH ROW WHEN (OLD."state" IN ('COMPLETE', 'PRUNED', 'FAILED'))
      EXECUTE FUNCTION "trials_terminal_immutable"()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "TRG_trials_terminal_immutable" ON "trials"`);
    await queryRunner.query(`DROP FUNCTION "trials_terminal_immutable"()`);
  }
}
