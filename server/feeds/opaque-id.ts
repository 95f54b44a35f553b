/**
 * Ids of feed items are opaque to us, but a foreign system may build them from personal data
 * (`INC-13812345678`). Such an id is replaced by a keyed hash of it: the same id always gives the
 * same hash, so later versions still update the stored item, and nothing of the number is kept.
 *
 * The hash is keyed (HMAC-SHA256) with a key the server creates once and keeps in the database:
 * a plain hash of a phone number is reversed by hashing every phone number, which takes minutes.
 */
import { createHmac } from 'node:crypto';
import { containsPersonalData } from '../../shared/personal-data.js';
import type { Db } from '../db/client.js';
import { storedKey } from '../repositories/settings.js';

const KEY = 'feed-id-key';

/** The key of opaque ids, created on first use and the same on every node and after a restart. */
export function feedIdKey(db: Db): Promise<Buffer> {
  return storedKey(db, KEY);
}

/** An id as it is stored: as received, or `h:` and its keyed hash when it holds personal data. */
export function opaqueIds(key: Uint8Array): (id: string) => string {
  return (id) =>
    containsPersonalData(id)
      ? `h:${createHmac('sha256', key).update(id).digest('base64url').slice(0, 32)}`
      : id;
}
