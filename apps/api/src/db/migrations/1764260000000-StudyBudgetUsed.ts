import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * studies.budget_used: trials counted against max_trials (every trial except retry copies), kept
 * under the study row lock by askTrials/enqueueTrial, so checking the budget does not count rows.
 */
export class StudyBudgetUsed1764260000000 implements MigrationInterface {
  name = 'StudyBudgetUsed1764260000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "studies" ADD "budget_used" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(
      `UPDATE "studies" s SET "budget_used" = (SELECT count(*) FROM "trials" t WHERE t."study_id" = s."id" AND t."retry_of" IS NULL)`,
    );
    await queryRunner.query(
      `ALTER TABLE "studies" ADD CONSTRAINT "CHK_studies_budget_used" CHECK ("budget_used" >= 0)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "studies" DROP CONSTRAINT "CHK_studies_budget_used"`);
    await queryRunner.query(`ALTER TABLE "studies" DROP COLUMN "budget_used"`);
  }
}
