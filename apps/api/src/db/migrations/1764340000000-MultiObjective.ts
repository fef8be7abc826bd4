import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17: multi-objective and constrained studies. A study names its objectives (the first is
 * `objective`/`direction`, so old readers keep seeing the primary one), its outcome constraints and
 * optionally a hypervolume reference point; a trial stores one value per objective and one per
 * constraint. Existing studies backfill `objectives` from their objective and direction. The
 * terminal-trial trigger guards `value`; `values` and `constraint_values` are written in the same
 * statement as the state change, never after.
 */
// Written out (not imported from the entity) so this migration never changes after it shipped.
const finiteArraySql = (column: string): string =>
  `"${column}" IS NULL OR NOT ("${column}" && ARRAY['NaN', 'Infinity', '-Infinity']::double precision[])`;

export class MultiObjective1764340000000 implements MigrationInterface {
  name = 'MultiObjective1764340000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "studies" ADD "objectives" jsonb`);
    await queryRunner.query(
      `UPDATE "studies" SET "objectives" = jsonb_build_array(jsonb_build_object('name', "objective", 'direction', "direction"))`,
    );
    await queryRunner.query(`ALTER TABLE "studies" ALTER COLUMN "objectives" SET NOT NULL`);
    // A writer that names only objective/direction (an older API, a hand-written INSERT) still gets
    // a study whose objectives say the same.
    await queryRunner.query(`
      CREATE FUNCTION "studies_default_objectives"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW."objectives" IS NULL THEN
          NEW."objectives" := jsonb_build_array(jsonb_build_object('name', NEW."objective", 'direction', NEW."direction"));
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER "TRG_studies_default_objectives" BEFORE INSERT ON "studies"
      FOR EACH ROW EXECUTE FUNCTION "studies_default_objectives"()`);
    await queryRunner.query(`ALTER TABLE "studies" ADD "constraints" jsonb NOT NULL DEFAULT '[]'`);
    await queryRunner.query(`ALTER TABLE "studies" ADD "reference_point" jsonb`);
    await queryRunner.query(
      `ALTER TABLE "studies" ADD CONSTRAINT "CHK_studies_objectives" CHECK (jsonb_typeof("objectives") = 'array' AND jsonb_array_length("objectives") BETWEEN 1 AND 4)`,
    );
    await queryRunner.query(
      `ALTER TABLE "studies" ADD CONSTRAINT "CHK_studies_constraints" CHECK (jsonb_typeof("constraints") = 'array')`,
    );
    await queryRunner.query(
      `ALTER TABLE "studies" ADD CONSTRAINT "CHK_studies_reference_point" CHECK ("reference_point" IS NULL OR jsonb_typeof("reference_point") = 'array')`,
    );
    await queryRunner.query(`ALTER TABLE "trials" ADD "values" double precision array`);
    await queryRunner.query(`ALTER TABLE "trials" ADD "constraint_values" double precision array`);
    await queryRunner.query(
      `ALTER TABLE "trials" ADD CONSTRAINT "CHK_trials_values_finite" CHECK (${finiteArraySql('values')})`,
    );
    await queryRunner.query(
      `ALTER TABLE "trials" ADD CONSTRAINT "CHK_trials_constraint_values_finite" CHECK (${finiteArraySql('constraint_values')})`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "trials" DROP CONSTRAINT "CHK_trials_constraint_values_finite"`);
    await queryRunner.query(`ALTER TABLE "trials" DROP CONSTRAINT "CHK_trials_values_finite"`);
    await queryRunner.query(`ALTER TABLE "trials" DROP COLUMN "constraint_values"`);
    await queryRunner.query(`ALTER TABLE "trials" DROP COLUMN "values"`);
    await queryRunner.query(`ALTER TABLE "studies" DROP CONSTRAINT "CHK_studies_reference_point"`);
    await queryRunner.query(`ALTER TABLE "studies" DROP CONSTRAINT "CHK_studies_constraints"`);
    await queryRunner.query(`ALTER TABLE "studies" DROP CONSTRAINT "CHK_studies_objectives"`);
    await queryRunner.query(`ALTER TABLE "studies" DROP COLUMN "reference_point"`);
    await queryRunner.query(`ALTER TABLE "studies" DROP COLUMN "constraints"`);
    await queryRunner.query(`DROP TRIGGER "TRG_studies_default_objectives" ON "studies"`);
    await queryRunner.query(`DROP FUNCTION "studies_default_objectives"()`);
    await queryRunner.query(`ALTER TABLE "studies" DROP COLUMN "objectives"`);
  }
}
