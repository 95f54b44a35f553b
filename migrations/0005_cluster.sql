CREATE TABLE "cluster_nodes" (
	"id" text PRIMARY KEY NOT NULL,
	"node_id" text NOT NULL,
	"pid" integer NOT NULL,
	"role" text NOT NULL,
	"version" text NOT NULL,
	"host" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"leading_since" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "socket_io_attachments" (
	"id" bigserial NOT NULL,
	"created_at" timestamp with time zone DEFAULT now(),
	"payload" "bytea",
	CONSTRAINT "socket_io_attachments_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE TABLE "delivery_tallies" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"channel" text,
	"subscription_id" integer,
	"failures" integer NOT NULL,
	"last_failed" boolean NOT NULL,
	"last_error" text,
	"last_error_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"last_attempt_at" timestamp with time zone NOT NULL,
	"since" timestamp with time zone NOT NULL,
	"node_id" text NOT NULL,
	CONSTRAINT "delivery_tallies_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "feed_health" (
	"feed" text PRIMARY KEY NOT NULL,
	"url" text,
	"status" text NOT NULL,
	"stale" boolean NOT NULL,
	"stale_at" timestamp with time zone NOT NULL,
	"last_success_at" timestamp with time zone,
	"last_error_at" timestamp with time zone,
	"last_error" text,
	"consecutive_failures" integer NOT NULL,
	"circuit" text NOT NULL,
	"circuit_open_until" timestamp with time zone,
	"newest_item_at" timestamp with time zone,
	"items_per_minute" double precision NOT NULL,
	"quarantined" integer NOT NULL,
	"backfill_done" boolean NOT NULL,
	"backfill_pages" integer NOT NULL,
	"node_id" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "wall_heartbeats" (
	"screen" text NOT NULL,
	"node_id" text NOT NULL,
	"role" text NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"sockets" integer NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "wall_heartbeats_screen_node_id_pk" PRIMARY KEY("screen","node_id")
);
