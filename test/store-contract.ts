import { describe } from 'vitest';
import { lifecycleContract } from './store-contract-lifecycle.js';
import { modelContract } from './store-contract-model.js';
import { readsContract } from './store-contract-reads.js';
import type { StoreFactory } from './store-contract-support.js';
import { writesContract } from './store-contract-writes.js';

export { batch, storedRecord, type BadRowPlace, type StoreFactory, type StoreHarness } from './store-contract-support.js';

/**
 * The behaviour every StorePort must have. Call it from a test file with a factory:
 * `storeContract('sqliteStore', () => ({ store: sqliteStore({ path }), reopen: ... }))`.
 */
export function storeContract(name: string, factory: StoreFactory): void {
  describe(`${name}: StorePort contract`, () => {
    describe('write and get', () => writesContract(factory));
    describe('due, nextDueAt, list, held', () => readsContract(factory));
    describe('open, ephemeral work, quarantine, durability, close', () => lifecycleContract(factory));
    describe('against a model', () => modelContract(factory));
  });
}
