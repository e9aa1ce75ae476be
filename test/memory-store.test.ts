import { describe, expect, it } from 'vitest';
import { memoryStore } from '../adapters/stores/memory-store.js';
import { storeContract, storedRecord } from './store-contract.js';

storeContract('memoryStore', () => ({ store: memoryStore() }));

describe('memoryStore', () => {
  it('starts with the records it is given and shows what it keeps', async () => {
    const store = memoryStore([storedRecord('job/a'), storedRecord('job/b')]);
    expect((await store.load()).records.map((r) => r.taskId)).toEqual(['job/a', 'job/b']);
    await store.write({ put: [storedRecord('job/c')], delete: ['job/a'] });
    expect(store.records().map((r) => r.taskId)).toEqual(['job/b', 'job/c']);
  });

  it('never quarantines anything', async () => {
    const store = memoryStore([storedRecord('job/a')]);
    expect((await store.load()).quarantined).toEqual([]);
  });
});
