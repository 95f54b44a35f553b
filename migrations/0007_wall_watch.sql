ALTER TABLE "wall_heartbeats" ADD COLUMN "beat_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "wall_heartbeats" ADD COLUMN "seq" bigint;--> statement-breakpoint
ALTER TABLE "wall_heartbeats" ADD COLUMN "painted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "wall_heartbeats" ADD COLUMN "lag_since" timestamp with time zone;