import react from '@vitejs/plugin-react';
import type { StorybookConfig } from '@storybook/react-vite';

const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.@(ts|tsx)'],
  framework: { name: '@storybook/react-vite', options: {} },
  // Offline: no telemetry, no version check, no crash reports.
  core: { disableTelemetry: true, disableWhatsNewNotifications: true, enableCrashReports: false },
  typescript: { reactDocgen: false },
  async viteFinal(viteConfig) {
    return {
      ...viteConfig,
      plugins: [...(viteConfig.plugins ?? []), react()],
      // errand's sources import `./x.js` for `./x.ts` (NodeNext); Vite resolves that itself.
      build: { ...viteConfig.build, chunkSizeWarningLimit: 2_000 },
    };
  },
};

export default config;
