import { describe, expect, it } from 'vitest';
import { can, maskPhone, PERMISSIONS, ROLE_BINDING, ROLE_CODES, ROLES } from './permissions.js';

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
    expect(full).toEqual(['community_staff', 'district_center', 'grid_worker', 'subdistrict_staff']);
  });
  it('the district command centre (区指挥中心) is bound to the district and handles cases like subdistrict staff', () => {
    expect(ROLES.district_center).toBe('区指挥中心');
    expect(ROLE_BINDING.district_center).toBe('district');
    expect(PERMISSIONS.district_center).toEqual({
      map: ['read'], incident: ['read', 'create', 'update'], export: ['read'], coverage: ['read'],
      resident_pii: ['read', 'read_full', 'create', 'update'], report: ['read'], warning: ['read', 'create', 'update'], performance: ['read'],
      party: ['read', 'create', 'update'], staff_contact: ['read', 'read_full'],
    });
    expect(PERMISSIONS.district_center).toEqual(PERMISSIONS.subdistrict_staff);
    for (const res of ['account', 'token', 'audit', 'workflow', 'grid_edit'] as const) expect(can('district_center', 'read', res), res).toBe(false);
    expect(ROLE_CODES.filter((r) => can(r, 'update', 'incident')).sort())
      .toEqual(['community_staff', 'department', 'district_center', 'grid_worker', 'subdistrict_staff']);
  });
  it('kiosks and leaders cannot write', () => {
    for (const r of ['kiosk', 'district_leader'] as const) {
      for (const res of Object.keys(PERMISSIONS[r])) {
        expect(can(r, 'create', res as never)).toBe(false);
      }
    }
  });
  it('reports for leaders, subdistrict, community and analysts; only admins edit the responsibility list', () => {
    expect(ROLE_CODES.filter((r) => can(r, 'read', 'report')).sort()).toEqual(['analyst', 'community_staff', 'district_center', 'district_leader', 'subdistrict_staff']);
    expect(ROLE_CODES.filter((r) => can(r, 'update', 'workflow'))).toEqual(['admin']);
    expect(ROLE_CODES.filter((r) => can(r, 'read', 'workflow'))).toEqual(['admin']);
  });
  it('only planners and admins edit facilities; everyone else reads them on the map', () => {
    for (const a of ['read', 'create', 'update', 'delete'] as const) {
      expect(ROLE_CODES.filter((r) => can(r, a, 'facility')).sort(), a).toEqual(['admin', 'planner']);
    }
    expect(can('planner', 'read', 'resident_pii')).toBe(false);
  });
  it('Party ledger: grid, community and subdistrict staff record activities; contact numbers in full only where people are handled', () => {
    expect(ROLE_CODES.filter((r) => can(r, 'create', 'party')).sort()).toEqual(['community_staff', 'district_center', 'grid_worker', 'subdistrict_staff']);
    expect(ROLE_CODES.filter((r) => can(r, 'read_full', 'staff_contact')).sort())
      .toEqual(ROLE_CODES.filter((r) => can(r, 'read_full', 'resident_pii')).sort());
    expect(can('planner', 'read', 'party')).toBe(false);
    expect(can('kiosk', 'read', 'staff_contact')).toBe(false);
  });
  it('masks phone numbers', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('138-1234-5678')).toBe('138****5678');
    expect(maskPhone('12345')).toBe('*****');
  });
});
