// The desk (服务台) screen's lists: the verification codes this desk account handed out (masked
// phones, never the codes) and the one-time voting links of the communities in the caller's
// jurisdiction (never the tokens: only their hashes are stored). No HTTP here.
import { codeState, voteLinkState } from '../../core/desk.js';
import type { DeskCodeRow, VoteLinkRow } from '../../core/public-contract.js';
import type { CodePurpose } from '../../core/verify-code.js';
import { MAX_ATTEMPTS } from '../../core/verify-code.js';
import { voteYear } from '../../core/votes.js';
import type { Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { phoneHash } from './identity.js';

const SQL = loadSql(new URL('./desk.sql', import.meta.url), ['markDesk', 'deskCodes', 'voteLinks']);

/** Record that the phone's current code for `purpose` was handed out by desk account `by`. */
export async function markDeskCode(db: Queryable, phone: string, purpose: CodePurpose, by: string): Promise<void> {
  await db.query(SQL.markDesk, [await phoneHash(db, phone), purpose, by]);
}

export async function deskCodes(db: Queryable, by: string, limit: number): Promise<DeskCodeRow[]> {
  const rows = (await db.query<{
    id: number | string; phone_masked: string; purpose: CodePurpose; issued_by: 'self' | 'desk'; created_at: Date; expires_at: Date;
    used_at: Date | null; attempts: number; has_code: boolean; now: Date;
  }>(SQL.deskCodes, [by, limit])).rows;
  return rows.map((r) => ({
    id: Number(r.id), phone: r.phone_masked, purpose: r.purpose, requestedBy: r.issued_by,
    issuedAt: new Date(r.created_at).toISOString(), expiresAt: new Date(r.expires_at).toISOString(),
    usedAt: r.used_at ? new Date(r.used_at).toISOString() : null,
    state: codeState({ hasCode: r.has_code, usedAt: r.used_at ? new Date(r.used_at) : null, expiresAt: new Date(r.expires_at), attempts: r.attempts },
      new Date(r.now), MAX_ATTEMPTS),
  }));
}

export async function voteLinks(db: Queryable, communities: string[] | null, year: number | null, limit: number, now: Date): Promise<VoteLinkRow[]> {
  const current = voteYear(now);
  const rows = (await db.query<{ id: number; community_code: string; community_name: string; year: number; issued_by: string; created_at: Date; used_at: Date | null }>(
    SQL.voteLinks, [communities, year, limit])).rows;
  return rows.map((r) => ({
    id: r.id, communityCode: r.community_code, communityName: r.community_name, year: r.year, issuedBy: r.issued_by,
    issuedAt: new Date(r.created_at).toISOString(), usedAt: r.used_at ? new Date(r.used_at).toISOString() : null,
    state: voteLinkState({ usedAt: r.used_at ? new Date(r.used_at) : null, year: r.year }, current),
  }));
}
