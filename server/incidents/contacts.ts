// Callers' contact details (hotline, Open311): personal data kept in incident_contact. Lists and
// case views show them masked to roles that may read personal data; the full record is shown only
// through GET /api/incidents/:id/contact?full=1 to roles with read_full, and audited there.
import type { CallerView } from '../../core/contract.js';
import { maskPhone } from '../../core/permissions.js';
import type { Queryable } from '../db/db.js';
import { maskName } from '../residents/routes.js';
import { SQL } from './commands.js';

export interface ContactRow {
  incident_id: number; name: string | null; phone: string | null; email: string | null;
  device_id: string | null; account_id: string | null;
}

export type { CallerView };

/** smit333@sfgov.edu → s******@sfgov.edu */
export const maskEmail = (email: string) => {
  const at = email.lastIndexOf('@');
  return at <= 0 ? maskName(email) : `${maskName(email.slice(0, at))}${email.slice(at)}`;
};

export function presentContact(r: ContactRow, full: boolean): CallerView {
  const m = <T>(v: string | null, f: (s: string) => T) => (v == null ? null : full ? v : f(v));
  return {
    name: m(r.name, maskName), phone: m(r.phone, maskPhone), email: m(r.email, maskEmail),
    deviceId: full ? r.device_id : null, accountId: full ? r.account_id : null, masked: !full,
  };
}

export async function contactsOf(db: Queryable, ids: number[]): Promise<Map<number, ContactRow>> {
  if (ids.length === 0) return new Map();
  return new Map((await db.query<ContactRow>(SQL.contacts, [ids])).rows.map((r) => [r.incident_id, r]));
}
