// The API explorer's build: swagger-ui-dist's files (from npm, so the page needs nothing from
// the internet) beside web/docs/, into $WEB_OUT_DIR/docs, served by nginx at /docs/.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const here = dirname(new URL(import.meta.url).pathname);
const outRoot = process.env.WEB_OUT_DIR ?? resolve(here, '../../build/web');
const out = join(outRoot, 'docs');
const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const name of ['swagger-ui-bundle.js', 'swagger-ui-bundle.js.LICENSE.txt', 'swagger-ui.css', 'LICENSE']) copyFileSync(join(dist, name), join(out, name));
for (const name of ['index.html', 'explorer.js', 'explorer.css']) copyFileSync(join(here, '../docs', name), join(out, name));
console.log(`build-docs: ${out}`);
