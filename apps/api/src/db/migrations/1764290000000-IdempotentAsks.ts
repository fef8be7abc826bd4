import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13: asks are idempotent. `trials.request_key` holds the client's key of the ask that
 * claimed the trial, so a retried ask (its answer lost on the way) returns the same trials.
 * Indexed only where set: most claims (and every WAITING copy) carry none.
 */
export class IdempotentAsks1764290000000 implements MigrationInterface {
  name = 'IdempotentAsks1764290000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "trials" ADD "request_key" text`);
    await queryRunner.query(
      `CREATE INDEX "IDX_trials_study_request_key" ON "trials" ("study_id", "request_key") WHERE "request_key" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_trials_study_request_key"`);
    await queryRunner.query(`ALTER TABLE "trials" DROP COLUMN "request_key"`);
  }
}
