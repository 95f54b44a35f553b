CREATE TABLE "history_due" (
	"day" text PRIMARY KEY NOT NULL,
	"marks" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "monthly_reports" (
	"id" serial PRIMARY KEY NOT NULL,
	"month" text NOT NULL,
	"version" integer NOT NULL,
	"reason" text,
	"published_by" text NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"hash" text NOT NULL,
	"figures" jsonb NOT NULL,
	CONSTRAINT "monthly_reports_month_version" UNIQUE("month","version")
);
--> statement-breakpoint
ALTER TABLE "index_snapshots" ADD COLUMN "kind" text DEFAULT 'live' NOT NULL;--> statement-breakpoint
-- The days a first start recorded before this column existed were recorded at noon UTC exactly;
-- live snapshots fall on whatever millisecond their timer fired.
UPDATE "index_snapshots" SET "kind" = 'recorded'
WHERE ("at" AT TIME ZONE 'UTC') = date_trunc('day', "at" AT TIME ZONE 'UTC') + interval '12 hours';
