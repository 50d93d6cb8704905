import { describe, expect, it } from 'vitest';
import { Refreshed } from './refreshed.js';

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a value reread now and then', () => {
  it('answers from memory and rereads in the background once the last read is old', async () => {
    let stored = 2;
    let reads = 0;
    const value = new Refreshed(1, async () => (reads++, stored), 30);
    expect(value.value).toBe(1);
    expect(reads).toBe(0);
    await later(40);
    expect(value.value).toBe(1); // the reread has only started
    await later(5);
    expect(value.value).toBe(2);
    expect(reads).toBe(1);
    stored = 3;
    expect(value.value).toBe(2); // checked just now
    expect(reads).toBe(1);
  });

  it('keeps the value held while the store cannot be read, and joins a reread under way', async () => {
    let fail = true;
    let reads = 0;
    const value = new Refreshed('held', async () => {
      reads++;
      await later(5);
      if (fail) throw new Error('store down');
      return 'new';
    }, 60_000);
    await Promise.all([value.refresh(), value.refresh()]);
    expect(reads).toBe(1);
    expect(value.value).toBe('held');
    fail = false;
    await value.refresh();
    expect(value.value).toBe('new');
  });

  it('holds a value this process made at once, and a reread begun before it does not undo it', async () => {
    let release: (v: { version: number }) => void = () => undefined;
    const value = new Refreshed({ version: 1 }, () => new Promise<{ version: number }>((r) => (release = r)), 60_000);
    const rereading = value.refresh();
    value.hold({ version: 2 });
    expect(value.value).toEqual({ version: 2 });
    release({ version: 1 }); // what the store said before the new version was saved
    await rereading;
    expect(value.value).toEqual({ version: 2 });
  });
});
