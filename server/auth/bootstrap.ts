// First run: create the admin account. Its password is ADMIN_PASSWORD when set; otherwise a random
// one, printed once and to be changed at first login. No default password exists.
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';
import { hashPassword, randomPassword } from './passwords.js';
import { SQL } from './principal.js';

export async function ensureAdmin(db: Db, config: Config, print: (line: string) => void): Promise<void> {
  const n = (await db.query<{ n: number }>(SQL.countAccounts)).rows[0]!.n;
  if (n > 0) return;
  const given = config.adminPassword;
  const password = given ?? randomPassword();
  await db.query(SQL.insertAccount, ['admin', '系统管理员', await hashPassword(password), 'admin', null, null, null, !given]);
  await db.query(SQL.insertAudit, [null, null, 'system', 'create', 'account', 'admin', 'ok', null, null, JSON.stringify({ bootstrap: true })]);
  if (given) {
    print('first run: created account "admin" with the password from ADMIN_PASSWORD');
  } else {
    print('first run: created account "admin". Its password is shown only this once:');
    print(`    admin / ${password}`);
    print('    (you will be asked to change it at first login; set ADMIN_PASSWORD to choose it yourself)');
  }
}
