import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13: live trial events carry a per-study sequence number, so a subscriber can tell that it
 * missed some, and a log of recent events to replay them from (`trialEvents(afterSeq:)`).
 * `study_event_heads` holds each study's last number (not a column of `studies`: bumping the study
 * row would invalidate every process's claim fast path, see trial/ask-statements.ts);
 * `study_events` the events themselves, pruned after an hour. No entities: only pubsub/ uses them.
 */
export class StudyEventLog1764300000000 implements MigrationInterface {
  name = 'StudyEventLog1764300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "study_event_heads" (
        "study_id" uuid NOT NULL,
        "seq" bigint NOT NULL,
        CONSTRAINT "PK_study_event_heads" PRIMARY KEY ("study_id"),
        CONSTRAINT "FK_study_event_heads_study" FOREIGN KEY ("study_id") REFERENCES "studies"("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`
      CREATE TABLE "study_events" (
        "study_id" uuid NOT NULL,
        "seq" bigint NOT NULL,
        "type" text NOT NULL,
        "trial_id" uuid NOT NULL,
        "trial" jsonb,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_study_events" PRIMARY KEY ("study_id", "seq"),
        CONSTRAINT "FK_study_events_study" FOREIGN KEY ("study_id") REFERENCES "studies"("id") ON DELETE CASCADE
      )`);
    // Retention deletes the oldest first.
    await queryRunner.query(`CREATE INDEX "IDX_study_events_created_at" ON "study_events" ("created_at")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "study_events"`);
    await queryRunner.query(`DROP TABLE "study_event_heads"`);
  }
}
