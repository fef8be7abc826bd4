import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15 item 8, the rest: a trial's user attributes (a JSON list of {key, value}), the tail of its
 * worker's log when it failed, the step and reason of the pruner's decision, and what it ran on. All
 * informational (`TRIAL_INFO`): no constraint, no index; the terminal-trial trigger does not guard them.
 */
export class TrialRunInfo1764350000000 implements MigrationInterface {
  name = 'TrialRunInfo1764350000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "trials" ADD "attributes" jsonb NOT NULL DEFAULT '[]'`);
    await queryRunner.query(`ALTER TABLE "trials" ADD "log_tail" text`);
    await queryRunner.query(`ALTER TABLE "trials" ADD "prune_step" integer`);
    await queryRunner.query(`ALTER TABLE "trials" ADD "prune_reason" text`);
    await queryRunner.query(`ALTER TABLE "trials" ADD "environment" jsonb`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "trials" DROP COLUMN "environment"`);
    await queryRunner.query(`ALTER TABLE "trials" DROP COLUMN "prune_reason"`);
    await queryRunner.query(`ALTER TABLE "trials" DROP COLUMN "prune_step"`);
    await queryRunner.query(`ALTER TABLE "trials" DROP COLUMN "log_tail"`);
    await queryRunner.query(`ALTER TABLE "trials" DROP COLUMN "attributes"`);
  }
}
