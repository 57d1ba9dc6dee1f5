// Partition and rebalance proposals (filled in below).
import { Router } from 'express';
import type { Db } from '../db/db.js';

export function proposalRoutes(_db: Db, _base: string): Router {
  return Router();
}
