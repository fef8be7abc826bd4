import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ask's invariant, enforced by the database (issue 14.7): a statement that puts a trial into
 * RUNNING or WAITING (an insert, or a state change) also writes its study's row, so the row's
 * version (`xmin`) moves. The claim fast path (trial/ask-statements.ts) acts only when the study
 * row is still the version its snapshot saw; every writer used to have to remember to update the
 * row by hand. A transaction that already wrote the row has moved its version: the trigger then
 * writes nothing more (a claim of 8 trials updates the row once, not 9 times).
 *
 * Trials leaving RUNNING (tells, the reaper's FAILED) do not write the row: they only make a stale
 * claim's count conservative, and writing it would queue every tell behind the claim that holds
 * the study row through its commit. Heartbeats do not set `state` and never fire the trigger.
 */
export class StudyVersionTrigger1764310000000 implements MigrationInterface {
  name = 'StudyVersionTrigger1764310000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION "trials_bump_study_version"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE "studies" SET "next_trial_number" = "next_trial_number"
        WHERE "id" = NEW."study_id" AND NOT ("xmin" = pg_current_xact_id()::xid);
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "TRG_trials_bump_study_version_insert"
      AFTER INSERT ON "trials"
      FOR EACH ROW WHEN (NEW."state" IN ('RUNNING', 'WAITING'))
      EXECUTE FUNCTION "trials_bump_study_version"()`);
    await queryRunner.query(`
      CREATE TRIGGER "TRG_trials_bump_study_version_update"
      AFTER UPDATE OF "state" ON "trials"
      FOR EACH ROW WHEN (NEW."state" IN ('RUNNING', 'WAITING') AND OLD."state" IS DISTINCT FROM NEW."state")
      EXECUTE FUNCTION "trials_bump_study_version"()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "TRG_trials_bump_study_version_update" ON "trials"`);
    await queryRunner.query(`DROP TRIGGER "TRG_trials_bump_study_version_insert" ON "trials"`);
    await queryRunner.query(`DROP FUNCTION "trials_bump_study_version"()`);
  }
}
