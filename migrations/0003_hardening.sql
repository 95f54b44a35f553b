ALTER TABLE "survey_responses" ALTER COLUMN "community" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "quarantine" ADD COLUMN "street" text;--> statement-breakpoint
ALTER TABLE "alert_outbox" ADD COLUMN "claimed_by" text;