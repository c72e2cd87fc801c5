import { defineConfig } from 'vite';

// The bundle is served by the tome binary at `/`: index.html at the root, hashed files under
// assets/. Everything is local: no CDN, no web fonts.
export default defineConfig({
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2020',
    sourcemap: false,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 300,
  },
  server: {
    // `npm run dev` proxies the API to a running tome (or tests/ui/mock-server.mjs).
    proxy: { '/console/api': process.env.TOME_URL || 'http://127.0.0.1:3000', '/api': process.env.TOME_URL || 'http://127.0.0.1:3000' },
  },
});
