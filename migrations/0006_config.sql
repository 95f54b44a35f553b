CREATE TABLE "city_config_versions" (
	"id" serial PRIMARY KEY NOT NULL,
	"config" jsonb NOT NULL,
	"source" text NOT NULL,
	"sections" text[] NOT NULL,
	"actor" text NOT NULL,
	"reason" text NOT NULL,
	"file_hash" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "city_config_versions_file_hash" ON "city_config_versions" USING btree ("file_hash");