// Answers that carry personal data (residents, a caller's contact, the audit log, accounts) must
// not outlive the request in a browser's HTTP cache, a shared proxy or a back/forward cache.
import type { NextFunction, Request, Response } from 'express';

export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}
