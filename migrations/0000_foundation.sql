CREATE TABLE "tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"streets" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "tokens_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "indicator_values" (
	"indicator_id" text NOT NULL,
	"street_code" text NOT NULL,
	"period" text NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"value" double precision NOT NULL,
	"origin" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "indicator_values_indicator_id_street_code_period_pk" PRIMARY KEY("indicator_id","street_code","period")
);
--> statement-breakpoint
CREATE TABLE "index_snapshots" (
	"id" serial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"street_code" text NOT NULL,
	"index" double precision,
	"rank" integer,
	"provisional" boolean NOT NULL,
	"weight_set_id" integer NOT NULL,
	"blocks" jsonb,
	"indicators" jsonb
);
--> statement-breakpoint
CREATE TABLE "weight_set_events" (
	"id" serial PRIMARY KEY NOT NULL,
	"weight_set_id" integer NOT NULL,
	"action" text NOT NULL,
	"actor" text NOT NULL,
	"detail" jsonb,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "weight_sets" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"effective_from" date,
	"weights" jsonb NOT NULL,
	"note" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "weight_set_events" ADD CONSTRAINT "weight_set_events_weight_set_id_weight_sets_id_fk" FOREIGN KEY ("weight_set_id") REFERENCES "public"."weight_sets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "indicator_values_latest" ON "indicator_values" USING btree ("indicator_id","street_code","period_start");--> statement-breakpoint
CREATE INDEX "index_snapshots_street_at" ON "index_snapshots" USING btree ("street_code","at");