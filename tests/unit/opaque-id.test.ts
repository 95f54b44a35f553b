import { describe, expect, it } from 'vitest';
import { opaqueIds } from '../../server/feeds/opaque-id.js';

describe('opaque ids', () => {
  const opaque = opaqueIds(Buffer.from('the key of one deployment'));

  it('keeps an id without personal data as it is', () => {
    expect(opaque('INC-2026-00000123')).toBe('INC-2026-00000123');
  });

  it('replaces an id holding a phone number by the same hash every time, with nothing of the number', () => {
    const id = opaque('INC-13812345678');
    expect(id).toMatch(/^h:[A-Za-z0-9_-]{32}$/);
    expect(opaque('INC-13812345678')).toBe(id);
    expect(opaque('INC-13812345679')).not.toBe(id);
  });

  it('hashes under the deployment’s key, so that hashing every phone number elsewhere does not reverse it', () => {
    expect(opaqueIds(Buffer.from('another deployment'))('INC-13812345678')).not.toBe(
      opaque('INC-13812345678'),
    );
  });
});
