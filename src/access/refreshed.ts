// A value kept in memory and reread from the store now and then, so that a change made by another
// process reaches this one: reading it never waits (the reread runs in the background, one at a time),
// and while the store cannot be read the value held stays in force. The access policy and the
// token-signing keys are kept this way.
export class Refreshed<T> {
  private checkedAt = Date.now();
  private refreshing: Promise<void> | undefined;

  /** `reread` gives the value to hold next, from the one held now. */
  constructor(
    private held: T,
    private readonly reread: (held: T) => Promise<T>,
    private readonly everyMs: number,
  ) {}

  /** The value held; starts a reread in the background when the last one is older than everyMs. */
  get value(): T {
    if (Date.now() - this.checkedAt > this.everyMs) void this.refresh();
    return this.held;
  }

  /** A value this process has just made, held at once. */
  hold(value: T): void {
    this.held = value;
  }

  /** Rereads now (joining a reread under way); resolves when done, whether or not the store answered. */
  refresh(): Promise<void> {
    this.checkedAt = Date.now();
    const from = this.held;
    this.refreshing ??= this.reread(from)
      .then((value) => {
        // A value held meanwhile (hold) is newer than what a reread begun before it can know of.
        if (this.held === from) this.held = value;
      })
      // The store is unreachable: keep what is held; the next check retries.
      .catch(() => undefined)
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }
}
