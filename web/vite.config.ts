// The storefront's build: web/shop/ into $WEB_OUT_DIR/shop (the Makefile sets it to the build
// tree's web/ folder), served by nginx at /shop/ (deploy/nginx/nginx.conf.template).
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const outRoot = process.env.WEB_OUT_DIR ?? resolve(import.meta.dirname, '../build/web');

export default defineConfig({
  root: resolve(import.meta.dirname, 'shop'),
  base: '/shop/',
  logLevel: 'warn',
  build: {
    outDir: resolve(outRoot, 'shop'),
    emptyOutDir: true,
    target: 'es2022',
    // No source maps and no inlined assets: a plain, small, cacheable set of files.
    sourcemap: false,
    assetsInlineLimit: 0,
  },
});
