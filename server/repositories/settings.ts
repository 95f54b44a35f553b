/** Values the server creates once and keeps across restarts and nodes: the keys it signs and hashes with. */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { settings } from '../db/schema/index.js';

/**
 * The 32-byte key stored under `name`, created at random on first use. Every node and every
 * restart reads the same one: the first insert wins, later ones change nothing.
 */
export async function storedKey(db: Db, name: string): Promise<Buffer> {
  await db
    .insert(settings)
    .values({ key: name, value: randomBytes(32).toString('base64url') })
    .onConflictDoNothing();
  const [row] = await db.select().from(settings).where(eq(settings.key, name));
  return Buffer.from(row!.value, 'base64url');
}
