import { describe, expect, it } from 'vitest';
import { can, maskPhone, PERMISSIONS, ROLE_CODES } from './permissions.js';

describe('permissions', () => {
  it('every role reads the map; only admins manage accounts, tokens and the audit log', () => {
    for (const r of ROLE_CODES) {
      expect(can(r, 'read', 'map')).toBe(true);
      expect(can(r, 'create', 'account')).toBe(r === 'admin');
      expect(can(r, 'read', 'audit')).toBe(r === 'admin');
    }
  });
  it('unmasked personal data only for roles that handle residents', () => {
    const full = ROLE_CODES.filter((r) => can(r, 'read_full', 'resident_pii')).sort();
    expect(full).toEqual(['community_staff', 'grid_worker', 'subdistrict_staff']);
  });
  it('kiosks and leaders cannot write', () => {
    for (const r of ['kiosk', 'district_leader'] as const) {
      for (const res of Object.keys(PERMISSIONS[r])) {
        expect(can(r, 'create', res as never)).toBe(false);
      }
    }
  });
  it('reports for leaders, subdistrict, community and analysts; only admins edit the responsibility list', () => {
    expect(ROLE_CODES.filter((r) => can(r, 'read', 'report')).sort()).toEqual(['analyst', 'community_staff', 'district_leader', 'subdistrict_staff']);
    expect(ROLE_CODES.filter((r) => can(r, 'update', 'workflow'))).toEqual(['admin']);
    expect(ROLE_CODES.filter((r) => can(r, 'read', 'workflow'))).toEqual(['admin']);
  });
  it('masks phone numbers', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('138-1234-5678')).toBe('138****5678');
    expect(maskPhone('12345')).toBe('*****');
  });
});
