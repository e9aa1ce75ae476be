/**
 * Runs tasks so that two sharing a key start in call order, each after the other settled; tasks with
 * no key in common run side by side. A pool of PostgreSQL connections would otherwise let a
 * runNow's claim and the cancel that follows it commit in either order (one Redis connection
 * keeps them in order by itself). Only keys with a task in flight are kept.
 */
export class KeyedOrder {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(keys: Iterable<string>, task: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)];
    const before: Promise<void>[] = [];
    for (const key of unique) {
      const tail = this.tails.get(key);
      if (tail) before.push(tail);
    }
    const result = before.length === 0 ? task() : Promise.all(before).then(task);
    const settled = result.then(
      () => {},
      () => {},
    );
    for (const key of unique) this.tails.set(key, settled);
    void settled.then(() => {
      for (const key of unique) if (this.tails.get(key) === settled) this.tails.delete(key);
    });
    return result;
  }
}
