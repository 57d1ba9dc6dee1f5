// Password hashing with argon2id (the argon2 package: a maintained binding with prebuilt binaries).
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

export const hashPassword = (plain: string) => argon2.hash(plain, { type: argon2.argon2id });
export const verifyPassword = async (hash: string, plain: string) => {
  try {
    return await argon2.verify(hash, plain);
  } catch {
    return false;
  }
};

/** A hash to verify against when the username is unknown, so timing does not reveal accounts. */
let dummy: Promise<string> | null = null;
export const dummyHash = () => (dummy ??= hashPassword(randomBytes(16).toString('hex')));

/** At least 10 characters with letters and digits. Returns a reason, or null when acceptable. */
export function passwordWeakness(p: string): string | null {
  if (p.length < 10) return 'password must have at least 10 characters';
  if (p.length > 200) return 'password too long';
  if (!/[A-Za-z]/.test(p) || !/\d/.test(p)) return 'password must mix letters and digits';
  return null;
}

export const randomPassword = () => randomBytes(12).toString('base64url');
