// Who a resident without an account is: a mobile number proven by a code. The number is kept as a
// keyed hash (HMAC-SHA256 with this installation's key, so a copy of the tables cannot be turned back
// into numbers by trying all 10^10 mobiles) and masked; codes are issued at the resident's request
// (an SMS sender would deliver them; with SMS_MODE=dev the answer carries the code) or by the desk.
// A right code gives a short ticket (its hash stored) that the page sends as X-Resident-Ticket.
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { maskPhone } from '../../core/permissions.js';
import {
  checkCode, CODE_TTL_S, makeCode, MAX_ATTEMPTS, mayRequestCode, normalizePhone, TICKET_TTL_S, type CodePurpose,
} from '../../core/verify-code.js';
import { sha256 } from '../auth/principal.js';
import type { Db, Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { fail, ok, type Result } from '../http/errors.js';

export const SQL = loadSql(new URL('./public.sql', import.meta.url), [
  'secret', 'insertSecret', 'recentCodes', 'insertCode', 'liveCode', 'latestCode', 'codeAttempt', 'codeUsed',
  'upsertResident', 'residentByHash', 'insertTicket', 'ticket', 'reportsToday', 'insertPhoto', 'photoByUpload', 'residentPhotos',
  'reportEvent', 'insertReport', 'reportOfIncident', 'caseByTrack', 'caseSteps', 'lockReport', 'rateReport', 'rateIncident',
  'rateEvent', 'community', 'communities', 'categories', 'district', 'monthByCategory', 'projects', 'projectsDone', 'projectById',
  'insertProject', 'setProjectStatus', 'voteCounts', 'insertVote', 'insertVoteLink', 'voteLink', 'useVoteLink', 'rules',
  'setRules', 'rootCase', 'groupReports', 'awarded', 'earnedToday', 'insertLedger', 'balance', 'awardOf', 'rejectReport',
  'ledger', 'board', 'reportPoints', 'incidentByKey', 'residentById', 'survivor', 'staffReports',
]);

const keys = new WeakMap<object, Promise<Buffer>>();

/** This installation's HMAC key, made once (the first caller's random key wins) and cached per database. */
export function hmacKey(db: Queryable): Promise<Buffer> {
  let k = keys.get(db);
  if (!k) {
    k = (async () => {
      await db.query(SQL.insertSecret, [randomBytes(32).toString('hex')]);
      return Buffer.from((await db.query<{ hmac_key: string }>(SQL.secret)).rows[0]!.hmac_key, 'hex');
    })();
    keys.set(db, k);
    k.catch(() => keys.delete(db));
  }
  return k;
}

export const keyed = async (db: Queryable, label: string, value: string): Promise<string> =>
  createHmac('sha256', await hmacKey(db)).update(`${label}\0${value}`).digest('hex');

export const phoneHash = (db: Queryable, phone: string) => keyed(db, 'phone', phone);

/** A phone as typed → its 11-digit form, or 400 invalid_request naming the field. */
export function phoneOf(input: string): Result<string> {
  const p = normalizePhone(input);
  return p ? ok(p) : fail('invalid_request', 'phone: a mainland mobile number (11 digits starting with 1)', [{ path: 'phone', message: 'not a mobile number' }]);
}

/** A secret for a link or ticket: 32 random bytes, URL-safe. */
export const newToken = () => randomBytes(32).toString('base64url');

export interface IssuedCode { code: string; expiresAt: Date }

/**
 * Issue a code for `phone`: refused (429 rate_limited, retry-after in details) within a minute of
 * the last one or past the hourly limit. The desk is held to the same limits.
 */
export async function issueCode(db: Db, phone: string, purpose: CodePurpose, by: 'self' | 'desk'): Promise<Result<IssuedCode>> {
  const hash = await phoneHash(db, phone);
  return db.transaction(async (tx) => {
    // One issue at a time per phone (two requests at once must not both pass the interval check).
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`public_code:${hash}`]);
    const now = new Date((await tx.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now);
    const recent = (await tx.query<{ created_at: Date }>(SQL.recentCodes, [hash])).rows.map((r) => new Date(r.created_at));
    const may = mayRequestCode(recent, now);
    if (!may.ok) return fail('rate_limited', `a code was sent to this number recently; try again in ${may.retryAfterS} s`, { retryAfterS: may.retryAfterS });
    const code = makeCode(() => randomInt(10));
    const row = (await tx.query<{ expires_at: Date }>(SQL.insertCode, [hash, maskPhone(phone), purpose, code, by, CODE_TTL_S])).rows[0]!;
    return ok({ code, expiresAt: new Date(row.expires_at) });
  });
}

/** The desk reads the phone's live code (one the resident asked for), or null. */
export async function liveCode(db: Queryable, phone: string, purpose: CodePurpose): Promise<IssuedCode | null> {
  const r = (await db.query<{ code: string; expires_at: Date }>(SQL.liveCode, [await phoneHash(db, phone), purpose, MAX_ATTEMPTS])).rows[0];
  return r ? { code: r.code, expiresAt: new Date(r.expires_at) } : null;
}

export interface Ticket { token: string; residentId: number; expiresAt: Date }

/**
 * Check a code; a right one is used up and gives a ticket for its purpose. Wrong, expired, used or
 * too many guesses: 400 verification_failed with details.reason (a wrong guess counts).
 */
export async function verifyCode(db: Db, phone: string, purpose: CodePurpose, given: string): Promise<Result<Ticket>> {
  const hash = await phoneHash(db, phone);
  const out = await db.transaction(async (tx): Promise<Result<Ticket> | { wrong: number }> => {
    const row = (await tx.query<{ id: number; code: string | null; expires_at: Date; attempts: number; used_at: Date | null; now: Date }>(
      SQL.latestCode, [hash, purpose])).rows[0];
    const verdict = checkCode(row ? { code: row.code, expiresAt: new Date(row.expires_at), attempts: row.attempts, usedAt: row.used_at } : null,
      given, row ? new Date(row.now) : new Date());
    if (verdict === 'wrong') return { wrong: row!.id };
    if (verdict !== 'ok') return fail('verification_failed', `the code is ${verdict.replace(/_/g, ' ')}`, { reason: verdict });
    await tx.query(SQL.codeUsed, [row!.id]);
    const residentId = (await tx.query<{ id: number }>(SQL.upsertResident, [hash, maskPhone(phone)])).rows[0]!.id;
    const token = newToken();
    const t = (await tx.query<{ expires_at: Date }>(SQL.insertTicket, [sha256(token), residentId, purpose, TICKET_TTL_S])).rows[0]!;
    return ok({ token, residentId, expiresAt: new Date(t.expires_at) });
  });
  if ('wrong' in out) {
    // Counted outside the refused transaction, so the attempt sticks.
    await db.query(SQL.codeAttempt, [out.wrong]);
    return fail('verification_failed', 'the code is wrong', { reason: 'wrong' });
  }
  return out;
}

export interface TicketHolder { ticketId: number; residentId: number; purpose: CodePurpose; phoneHash: string; phoneMasked: string }

/** The ticket a request carries (X-Resident-Ticket), for a purpose; 401 verification_required otherwise. */
export async function ticketOf(db: Queryable, header: string | undefined, purpose: CodePurpose): Promise<Result<TicketHolder>> {
  if (!header || !/^[A-Za-z0-9_-]{20,100}$/.test(header)) return fail('verification_required', 'verify your phone first (X-Resident-Ticket)');
  const t = (await db.query<{ id: number; resident_id: number; purpose: CodePurpose; phone_hash: string; phone_masked: string }>(
    SQL.ticket, [sha256(header)])).rows[0];
  if (!t || t.purpose !== purpose) return fail('verification_required', 'the verification has expired or is for something else; verify your phone again');
  return ok({ ticketId: Number(t.id), residentId: t.resident_id, purpose: t.purpose, phoneHash: t.phone_hash, phoneMasked: t.phone_masked });
}
