// Express app composed from one router per capability.
import { existsSync, readdirSync } from 'node:fs';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { adminRoutes } from '../admin/routes.js';
import { authenticate } from '../auth/principal.js';
import { authRoutes } from '../auth/routes.js';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';
import { divisionRoutes } from '../divisions/routes.js';
import { facilityRoutes } from '../facilities/routes.js';
import { geocodeRoutes } from '../geocode/routes.js';
import type { EventBus } from '../events/bus.js';
import { gridEditorRoutes } from '../grids/editor-routes.js';
import { gridRoutes } from '../grids/routes.js';
import { healthRoutes } from '../health/routes.js';
import { incidentRoutes } from '../incidents/routes.js';
import { layerRoutes } from '../layers/routes.js';
import { open311Routes } from '../open311/routes.js';
import { photoRoutes } from '../photos/routes.js';
import { publicRoutes, publicUploadRoutes } from '../public/routes.js';
import type { TileEncoder } from '../tiles/encode.js';
import { tileRoutes } from '../tiles/routes.js';
import { residentImportRoutes, residentRoutes } from '../residents/routes.js';
import { partyRoutes } from '../party/routes.js';
import { wallRoutes } from '../wall/routes.js';
import { coverageRoutes } from '../coverage/routes.js';
import { warningRoutes } from '../warnings/routes.js';
import { performanceRoutes } from '../performance/routes.js';
import { errorHandler, fail, sendError } from './errors.js';
import { refuseNotText } from './input.js';

export interface AppDeps {
  config: Config;
  db: Db;
  bus: EventBus;
  tileEncoder: TileEncoder;
  log: (msg: string, err?: unknown) => void;
}

export function createApp({ config, db, bus, tileEncoder, log }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', 'strong');
  app.set('trust proxy', config.trustProxy);
  const basemapOrigin = config.basemapUrl ? new URL(config.basemapUrl.replace(/[{}]/g, '')).origin : null;
  app.use(helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // Cesium's widgets compile templates at run time; nothing is loaded from elsewhere.
        scriptSrc: ["'self'", "'unsafe-eval'"],
        workerSrc: ["'self'", 'blob:'],
        imgSrc: ["'self'", 'data:', 'blob:', ...(basemapOrigin ? [basemapOrigin] : [])],
        connectSrc: ["'self'", 'ws:', 'wss:', 'data:', 'blob:', ...(basemapOrigin ? [basemapOrigin] : [])],
        styleSrc: ["'self'", "'unsafe-inline'"],
        fontSrc: ["'self'", 'data:'],
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: config.cookieSecure === 'true',
  }));
  app.use(cookieParser());
  app.use(['/api', '/tiles'], authenticate(db));
  app.use('/api', express.json({ limit: config.maxBodyBytes, strict: true }));
  // A NUL byte or a lone surrogate in any query or JSON string is a 400 naming the field (Open311
  // applies the same check after its own body parsers).
  app.use(['/api', '/tiles'], refuseNotText);
  // The one multipart route, before the JSON-only rule below.
  app.use(photoRoutes(db, config, { log }));
  app.use(publicUploadRoutes(db, config, { log })); // 随手拍 photos from the public page (multipart too)
  app.use(gridEditorRoutes(db, bus, config)); // before the JSON-only rule: grid import takes a raw zip
  app.use(residentImportRoutes(db)); // before the JSON-only rule: the resident pool's import takes the raw CSV/.xlsx
  app.use('/api', (req, res, next) => {
    // JSON only for writes: anything else is refused before it reaches a route.
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if ((req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') && hasBody && !req.is('application/json')) {
      sendError(res, fail('unsupported_media_type', 'send application/json').error);
      return;
    }
    next();
  });

  app.use(healthRoutes(db));
  app.use(authRoutes(db, config, bus));
  app.use(adminRoutes(db, bus));
  app.use(divisionRoutes(db, config));
  app.use(gridRoutes(db, config));
  app.use(layerRoutes(db, config));
  app.use(facilityRoutes(db));
  app.use(geocodeRoutes(db));
  app.use(incidentRoutes(db, bus, config));
  app.use(residentRoutes(db));
  app.use(wallRoutes(db));
  app.use(coverageRoutes(db, config));
  app.use(partyRoutes(db));
  app.use(warningRoutes(db, bus));
  app.use(performanceRoutes(db));
  app.use(tileRoutes(db, tileEncoder, { maxBytes: config.tileCacheBytes, versionTtlMs: config.tileVersionTtlMs }));
  // Public pages (随手拍, community page, votes) and their staff side: no account for residents.
  app.use(publicRoutes(db, bus, config, tileEncoder, log));
  // Open311 GeoReport v2 (its own authentication by api_key, body formats and error format).
  app.use(open311Routes(db, bus, config));

  // Unknown routes: 401 to a caller without credentials, so the route map is not probed anonymously.
  app.use(['/api', '/tiles'], (req, res) => sendError(res, req.principal
    ? fail('not_found', `no route ${req.method} ${req.path}`).error
    : fail('unauthorized', 'log in or send a token').error));

  if (existsSync(config.clientDist)) {
    // The phone page's service worker (built by vite.config.ts): always revalidated, so a new build
    // reaches phones at their next visit; it may control /mobile only (registered with that scope).
    app.use('/mobile-sw.js', (_req, res, next) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('Service-Worker-Allowed', '/mobile');
      next();
    });
    app.use(express.static(config.clientDist, { index: 'index.html', extensions: ['html'] }));
  } else {
    app.get('/', (_req, res) => {
      res.type('text/plain').send('GridCommand: the client is not built. Run `npm start` (it builds) or `npx vite build`.');
    });
  }
  app.use(errorHandler(log));
  return app;
}

/** Every page of the built client ('/' for index.html; '/wall' for wall.html, served without .html). */
export function pagePaths(config: Config): string[] {
  if (!existsSync(config.clientDist)) return ['/'];
  const pages = readdirSync(config.clientDist).filter((f) => f.endsWith('.html')).sort();
  return pages.map((f) => (f === 'index.html' ? '/' : `/${f.replace(/\.html$/, '')}`))
    .sort((a, b) => (a === '/' ? -1 : b === '/' ? 1 : a.localeCompare(b)));
}
