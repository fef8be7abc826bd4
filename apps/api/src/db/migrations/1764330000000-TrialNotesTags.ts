import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15 item 8: a trial's note and tags, a study's description. Annotations: the terminal-trial
 * trigger (TerminalTrialsImmutable) only guards state, value, params and finished_at, so a finished
 * trial's note and tags stay editable without changing it.
 */
export class TrialNotesTags1764330000000 implements MigrationInterface {
  name = 'TrialNotesTags1764330000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "trials" ADD "note" text`);
    await queryRunner.query(`ALTER TABLE "trials" ADD "tags" text array NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "studies" ADD "description" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "studies" DROP COLUMN "description"`);
    await queryRunner.query(`ALTER TABLE "trials" DROP COLUMN "tags"`);
    await queryRunner.query(`ALTER TABLE "trials" DROP COLUMN "note"`);
  }
}
