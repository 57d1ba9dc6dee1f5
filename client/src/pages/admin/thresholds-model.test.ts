import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, THRESHOLD_SCHEMAS, WARNING_KINDS } from '../../../../core/trend/thresholds.js';
import { fieldRules, fromInput, namedFields, THRESHOLD_FORMS, toInput, type NumberField } from './thresholds-model.js';

/** The server's message for a refused body (server/http/validate.ts joins the issues this way). */
const serverMessage = (kind: (typeof WARNING_KINDS)[number], body: unknown) => {
  const r = THRESHOLD_SCHEMAS[kind].safeParse(body);
  return r.success ? null : r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
};

describe('预警阈值 forms against the server\'s schemas', () => {
  it('every kind has exactly the schema\'s fields, and its defaults survive the inputs', () => {
    for (const kind of WARNING_KINDS) {
      const keys = THRESHOLD_FORMS[kind].fields.map((f) => f.key).sort();
      expect([kind, keys]).toEqual([kind, Object.keys(THRESHOLD_SCHEMAS[kind].shape).sort()]);
      const d = DEFAULT_THRESHOLDS[kind] as unknown as Record<string, unknown>;
      const back = Object.fromEntries(THRESHOLD_FORMS[kind].fields.map((f) => [f.key,
        f.type === 'flag' ? d[f.key] : fromInput(toInput(d[f.key] as number, f.scale), f.scale)]));
      expect(back).toEqual(d);
    }
  });

  it('the ranges shown are the ones the server enforces', () => {
    for (const kind of WARNING_KINDS) {
      const d = DEFAULT_THRESHOLDS[kind] as unknown as Record<string, unknown>;
      for (const f of THRESHOLD_FORMS[kind].fields.filter((x): x is NumberField => x.type === 'number')) {
        const at = (shown: number) => ({ ...d, [f.key]: fromInput(String(shown), f.scale) });
        const tiny = f.int ? 1 : f.step / 10;
        expect([kind, f.key, 'max', serverMessage(kind, at(f.max))]).toEqual([kind, f.key, 'max', null]);
        expect([kind, f.key, 'above max', serverMessage(kind, at(f.max + tiny)) !== null]).toEqual([kind, f.key, 'above max', true]);
        expect([kind, f.key, 'min', serverMessage(kind, at(f.min)) === null]).toEqual([kind, f.key, 'min', !f.minExclusive]);
        expect([kind, f.key, 'below min', serverMessage(kind, at(f.min - tiny)) !== null]).toEqual([kind, f.key, 'below min', true]);
        if (f.int) expect([kind, f.key, 'fraction', serverMessage(kind, at(f.min + 1.5)) !== null]).toEqual([kind, f.key, 'fraction', true]);
      }
    }
  });

  it('a share is shown in percentage points without float noise', () => {
    expect(toInput(0.15, 100)).toBe('15');
    expect(fromInput('15', 100)).toBe(0.15);
    expect(fromInput('0.07', 100)).toBe(0.0007);
    expect(fromInput('', 1)).toBeNull();
    expect(fromInput('abc', 1)).toBeNull();
  });

  it('a refusal names the fields in zh-CN with their allowed ranges', () => {
    const msg = serverMessage('rising', { ...DEFAULT_THRESHOLDS.rising, alpha: 0.5, minCount: null })!;
    const named = namedFields('rising', msg);
    expect(named.map((f) => f.key)).toEqual(['alpha', 'minCount']);
    expect(fieldRules(named)).toBe('显著性水平 α 应为 0 至 0.2（不含 0）；最少件数应为 1 至 10000 件（整数）');
    expect(fieldRules(THRESHOLD_FORMS.cluster.fields.filter((f) => f.key === 'sameCategory'))).toBe('只计同类别案件应为是或否');
    expect(namedFields('cluster', '(body): Unrecognized key: "x"')).toEqual([]);
  });
});
