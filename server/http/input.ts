// Strings that are not text: a NUL byte (PostgreSQL cannot store it in text and fails the whole
// statement) or a lone UTF-16 surrogate (not Unicode at all; JSON's "\ud800" makes one). Refused in
// one place, for every parsed JSON or form body and every query string, before a route sees them:
// 400 invalid_request naming the field, and nothing is written.
import type { NextFunction, Request, Response } from 'express';
import { fail, sendError } from './errors.js';

/** Why a string cannot be stored as text, or null when it can. */
export function notText(s: string): string | null {
  if (s.includes('\0')) return 'contains a NUL byte';
  // With the u flag a well-formed pair is one code point; only a lone surrogate is in \p{Cs}.
  if (/\p{Cs}/u.test(s)) return 'contains a lone surrogate (not valid Unicode)';
  return null;
}

/**
 * The first string (value or key) in a parsed body or query that is not text, as "field reason",
 * with the field as a dotted path (`reports.3.description`, `caller.name`, `q`). Iterative, so a
 * deeply nested body cannot overflow the stack.
 */
export function findNotText(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const why = notText(v);
      if (why) return `${path || 'the body'} ${why}`;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], path ? `${path}.${i}` : String(i)]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v).reverse()) {
        const why = notText(k);
        if (why) return `a field name in ${path || 'the body'} ${why}`;
        stack.push([child, path ? `${path}.${k}` : k]);
      }
    }
  }
  return null;
}

/** Middleware: refuse a query string or a parsed body holding a string that is not text. */
export function refuseNotText(req: Request, res: Response, next: NextFunction): void {
  const bad = findNotText(req.query) ?? findNotText(req.body);
  if (bad) {
    sendError(res, fail('invalid_request', bad).error);
    return;
  }
  next();
}
