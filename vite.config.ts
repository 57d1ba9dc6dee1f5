// Vite config for the GridCommand client: a multi-page app (portal, 2D map, 3D city) under client/.
// Everything the pages need is bundled or copied into dist/client — nothing is loaded from the internet.
import { cpSync, createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

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
  plugins: [cesiumStatic()],
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
      '/socket.io': { target: API_TARGET, ws: true, changeOrigin: true },
    },
  },
  preview: {
    proxy: {
      '/api': { target: API_TARGET, changeOrigin: true },
      '/tiles': { target: API_TARGET, changeOrigin: true },
      '/socket.io': { target: API_TARGET, ws: true, changeOrigin: true },
    },
  },
});
