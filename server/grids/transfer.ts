// Import and export of grids (filled in below).
import { Router } from 'express';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';

export function transferRoutes(_db: Db, _base: string, _config: Config): Router {
  return Router();
}
