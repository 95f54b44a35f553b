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
