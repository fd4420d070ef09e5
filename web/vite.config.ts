import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run build` writes web/dist, which the API serves at `/`. `npm run dev:web` serves the
// client with hot reload on :5173 and proxies the API (started with `npm start`) on :3000.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false, reportCompressedSize: false },
  server: {
    port: 5173,
    proxy: { '/v1': `http://127.0.0.1:${process.env.PORT ?? 3000}` },
  },
});
