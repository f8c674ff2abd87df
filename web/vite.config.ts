import fs from 'node:fs';
import { defaultClientConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The files feature shows only once the server documents its upload endpoint.
const openapi = fs.readFileSync(new URL('../openapi/openapi.json', import.meta.url), 'utf8');
const filesApi = openapi.includes('"/api/v1/channels/{channel_id}/files"');
const backend = process.env.VITE_PROXY_TARGET ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  // The client package (packages/client) is used from its TypeScript source, not its build.
  resolve: { conditions: ['tandem-source', ...defaultClientConditions] },
  define: { __FILES_API__: JSON.stringify(filesApi) },
  server: {
    proxy: { '/api': { target: backend, ws: true } },
  },
  build: { outDir: 'dist', sourcemap: true, chunkSizeWarningLimit: 800 },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'web', environment: 'happy-dom', include: ['src/**/*.test.{ts,tsx}'], setupFiles: ['src/test/setup.ts'] },
      },
      // The client package runs in Node as integrators' bots do, and in browsers as the app does.
      { extends: true, test: { name: 'client', environment: 'node', include: ['packages/*/test/**/*.test.ts'] } },
    ],
  },
});
