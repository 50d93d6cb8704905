import { describe, expect, it } from 'vitest';
import { generateSecret, hashSecret, verifySecret } from './secrets.js';

describe('client secrets', () => {
  it('are stored salted and verify only the right secret', async () => {
    const secret = generateSecret();
    const a = await hashSecret(secret);
    const b = await hashSecret(secret);
    expect(a).not.toBe(b);
    expect(a).not.toContain(secret);
    expect(await verifySecret(secret, a)).toBe(true);
    expect(await verifySecret(`${secret}x`, a)).toBe(false);
    expect(await verifySecret(secret, 'plain-text')).toBe(false);
  });
});
