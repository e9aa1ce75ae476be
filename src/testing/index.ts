export { TestClock, testClock } from './test-clock.js';
export { testPlatform, type TestPlatform } from './test-platform.js';
export { memoryStore, type MemoryStore } from '../../adapters/stores/memory-store.js';
export { coordinatorHub, type CoordinatorHub, type TestCoordinator } from './coordinator-hub.js';
