// Vite configuration for Sightline's web UI.
// `npx vite` serves the UI with hot reload and proxies /api (HTTP and the live WebSockets) to a
// running `sightline run` at SIGHTLINE_URL (default http://127.0.0.1:8080), so the browser sees one
// origin, as it does in production where the daemon serves web/dist itself.
import { defineConfig } from 'vite';

const target = process.env.SIGHTLINE_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: true,
    // hls.js alone is ~300 kB minified; one chunk keeps the first load to two requests.
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      '/api': { target, changeOrigin: true, ws: true },
    },
  },
});
