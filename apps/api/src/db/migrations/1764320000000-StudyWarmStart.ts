import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 18: a study may name earlier studies of its team whose completed trials warm-start its model
 * (`warmStartFrom`). Ids only, no foreign key: deleting a source study leaves the target running
 * (the suggest path simply finds one source fewer).
 */
export class StudyWarmStart1764320000000 implements MigrationInterface {
  name = 'StudyWarmStart1764320000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "studies" ADD "warm_start_from" uuid array NOT NULL DEFAULT '{}'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "studies" DROP COLUMN "warm_start_from"`);
  }
}
