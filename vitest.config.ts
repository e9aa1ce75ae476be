import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    // Type tests (expectTypeOf, @ts-expect-error) run with every `vitest run`: a typing regression fails it.
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      // The check config's options, on the type tests only (tsconfig.check.json covers everything else).
      tsconfig: './tsconfig.typetest.json',
    },
  },
});
