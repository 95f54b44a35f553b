CREATE TABLE "feed_cursors" (
	"feed" text PRIMARY KEY NOT NULL,
	"cursor" text,
	"backfilled" boolean DEFAULT false NOT NULL,
	"pages" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fraud_events" (
	"id" text PRIMARY KEY NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"street" text NOT NULL,
	"community" text,
	"type" text NOT NULL,
	"loss_yuan" double precision,
	"intercepted_yuan" double precision,
	"dissuaded" boolean
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" text PRIMARY KEY NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"reported_at" timestamp with time zone NOT NULL,
	"street" text NOT NULL,
	"community" text,
	"category" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"arrived_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"cleared" boolean,
	"gang" boolean,
	"homicide" boolean
);
--> statement-breakpoint
CREATE TABLE "mediation_cases" (
	"id" text PRIMARY KEY NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone NOT NULL,
	"street" text NOT NULL,
	"community" text,
	"type" text NOT NULL,
	"status" text NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "quarantine" (
	"id" serial PRIMARY KEY NOT NULL,
	"feed" text NOT NULL,
	"via" text NOT NULL,
	"record" jsonb NOT NULL,
	"reason" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "survey_responses" (
	"id" text PRIMARY KEY NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"surveyed_at" timestamp with time zone NOT NULL,
	"street" text NOT NULL,
	"community" text NOT NULL,
	"method" text NOT NULL,
	"safety" smallint NOT NULL,
	"satisfaction" smallint NOT NULL,
	"police" smallint,
	"urban" smallint,
	"environment" smallint,
	"market" smallint
);
--> statement-breakpoint
CREATE TABLE "window_tickets" (
	"id" text PRIMARY KEY NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	"street" text NOT NULL,
	"hall" text NOT NULL,
	"service" text NOT NULL,
	"called_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"status" text NOT NULL,
	"limit_minutes" double precision
);
--> statement-breakpoint
CREATE INDEX "fraud_events_street_time" ON "fraud_events" USING btree ("street","occurred_at");--> statement-breakpoint
CREATE INDEX "incidents_street_time" ON "incidents" USING btree ("street","reported_at");--> statement-breakpoint
CREATE INDEX "mediation_cases_street_time" ON "mediation_cases" USING btree ("street","accepted_at");--> statement-breakpoint
CREATE INDEX "quarantine_feed_time" ON "quarantine" USING btree ("feed","received_at");--> statement-breakpoint
CREATE INDEX "survey_responses_street_time" ON "survey_responses" USING btree ("street","surveyed_at");--> statement-breakpoint
CREATE INDEX "window_tickets_street_time" ON "window_tickets" USING btree ("street","taken_at");