// Vite config for the GridCommand client: a multi-page app (portal, 2D map, 3D city) under client/.
// Everything the pages need is bundled or copied into dist/client — nothing is loaded from the internet.
import { createHash } from 'node:crypto';
import { cpSync, createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, defineConfig, type Plugin } from 'vite';
import { fillMapPageSkeleton } from './client/src/shell/map-page-skeleton.js';
import { precacheManifest, type BuiltFile, type PrecacheEntry } from './client/src/sw/precache-manifest.js';

const ROOT = fileURLToPath(new URL('.', import.meta.url));
const CLIENT = resolve(ROOT, 'client');
const OUT_DIR = resolve(ROOT, 'dist/client');
const CESIUM_BUILD = resolve(ROOT, 'node_modules/cesium/Build/Cesium');
/** The static parts of Cesium, served at /cesium/ (window.CESIUM_BASE_URL). */
const CESIUM_DIRS = ['Assets', 'Workers', 'ThirdParty', 'Widgets'];
const API_TARGET = process.env.GC_API_TARGET ?? 'http://127.0.0.1:8080';

const MIME: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.xml': 'application/xml',
  '.html': 'text/html; charset=utf-8',
  '.glb': 'model/gltf-binary',
  '.ktx2': 'image/ktx2',
};

/** Serves node_modules/cesium/Build/Cesium/{Assets,Workers,ThirdParty,Widgets} at /cesium/ in dev, copies them on build. */
function cesiumStatic(): Plugin {
  let outDir = OUT_DIR;
  return {
    name: 'gridcommand:cesium-static',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use('/cesium', (req, res, next) => {
        const urlPath = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
        const file = normalize(join(CESIUM_BUILD, urlPath));
        const top = urlPath.split('/').filter(Boolean)[0] ?? '';
        if (!file.startsWith(CESIUM_BUILD + sep) || !CESIUM_DIRS.includes(top) || !existsSync(file) || !statSync(file).isFile()) {
          next();
          return;
        }
        res.setHeader('Content-Type', MIME[extname(file)] ?? 'application/octet-stream');
        res.setHeader('Cache-Control', 'public, max-age=3600');
        createReadStream(file).pipe(res);
      });
    },
    closeBundle() {
      if (!existsSync(outDir)) return; // dev server / failed build
      for (const dir of CESIUM_DIRS) {
        cpSync(join(CESIUM_BUILD, dir), join(outDir, 'cesium', dir), { recursive: true });
      }
    },
  };
}

/**
 * The phone page's service worker (client/src/sw/mobile-sw.ts → dist/client/mobile-sw.js): after the
 * pages are written, list what mobile.html needs from the bundle graph (never Cesium, never other
 * pages) as a workbox precache manifest, and build the worker with that manifest inlined. Every
 * build writes a new manifest; the worker's bytes change with it, so browsers install the update.
 */
function mobileServiceWorker(): Plugin {
  let outDir = OUT_DIR;
  let manifest: PrecacheEntry[] | null = null;
  const sha = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex').slice(0, 16);
  return {
    name: 'gridcommand:mobile-service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    writeBundle(_options, bundle) {
      const files = new Map<string, BuiltFile>();
      const content = new Map<string, string | Uint8Array>();
      for (const [name, out] of Object.entries(bundle)) {
        if (out.type === 'chunk') {
          const meta = (out as { viteMetadata?: { importedCss?: Set<string>; importedAssets?: Set<string> } }).viteMetadata;
          files.set(name, { fileName: name, type: 'chunk', imports: out.imports, dynamicImports: out.dynamicImports, importedCss: meta?.importedCss, importedAssets: meta?.importedAssets, text: out.code });
          content.set(name, out.code);
        } else {
          const text = typeof out.source === 'string' ? out.source : /\.(css|html|json|m?js)$/.test(name) ? new TextDecoder().decode(out.source) : null;
          files.set(name, { fileName: name, type: 'asset', text });
          content.set(name, out.source);
        }
      }
      if (!files.has('mobile.html')) return;
      manifest = precacheManifest('mobile.html', files, (f) => sha(content.get(f) ?? ''));
    },
    async closeBundle() {
      if (!manifest) return;
      const entries = manifest;
      manifest = null;
      await build({
        configFile: false,
        root: ROOT,
        publicDir: false,
        logLevel: 'warn',
        define: {
          __GC_PRECACHE__: JSON.stringify(entries),
          __GC_SW_VERSION__: JSON.stringify(sha(JSON.stringify(entries))),
          'process.env.NODE_ENV': JSON.stringify('production'),
        },
        build: {
          outDir,
          emptyOutDir: false,
          copyPublicDir: false,
          target: 'es2020',
          sourcemap: false,
          minify: true,
          reportCompressedSize: false,
          lib: { entry: resolve(CLIENT, 'src/sw/mobile-sw.ts'), formats: ['iife'], name: 'gcMobileSw', fileName: () => 'mobile-sw.js' },
        },
      });
      const kb = (n: number) => `${Math.round(n / 1024)} kB`;
      const size = entries.reduce((n, e) => n + (existsSync(join(outDir, e.url)) ? statSync(join(outDir, e.url)).size : 0), 0);
      console.log(`mobile-sw.js: ${entries.length} files precached for /mobile (${kb(size)})`);
    },
  };
}

/** map.html and 3d.html share one skeleton: their <template data-gc-slot> blocks are placed in it. */
function mapPageSkeleton(): Plugin {
  return { name: 'gridcommand:map-page-skeleton', transformIndexHtml: { order: 'pre', handler: (html) => fillMapPageSkeleton(html) } };
}

export default defineConfig({
  root: CLIENT,
  publicDir: false,
  appType: 'mpa',
  resolve: {
    alias: [
      // The prebuilt single-file ESM build of Cesium: one module instead of ~2,000 sources, so
      // builds stay fast on small machines. Types still come from cesium/Source/Cesium.d.ts.
      { find: /^cesium$/, replacement: join(CESIUM_BUILD, 'index.js') },
    ],
  },
  plugins: [mapPageSkeleton(), cesiumStatic(), mobileServiceWorker()],
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 6000,
    sourcemap: false,
    rolldownOptions: {
      // Every client/*.html is a page: adding a screen needs no change here.
      input: {
        ...Object.fromEntries(readdirSync(CLIENT).filter((f) => f.endsWith('.html')).map((f) => [f.replace(/\.html$/, ''), resolve(CLIENT, f)])),
      },
    },
  },
  optimizeDeps: {
    include: ['maplibre-gl', '@deck.gl/core', '@deck.gl/layers', '@deck.gl/aggregation-layers', '@deck.gl/mapbox', 'socket.io-client'],
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': { target: API_TARGET, changeOrigin: true },
      '/tiles': { target: API_TARGET, changeOrigin: true },
      // Host kept as the page's: the server accepts socket handshakes from its own origin only.
      '/socket.io': { target: API_TARGET, ws: true, changeOrigin: false },
    },
  },
  preview: {
    proxy: {
      '/api': { target: API_TARGET, changeOrigin: true },
      '/tiles': { target: API_TARGET, changeOrigin: true },
      // Host kept as the page's: the server accepts socket handshakes from its own origin only.
      '/socket.io': { target: API_TARGET, ws: true, changeOrigin: false },
    },
  },
});
