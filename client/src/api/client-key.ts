// Idempotency keys for reports (the server's clientKey rule: letters, digits, _ . : - only).
// crypto.randomUUID needs a secure context; getRandomValues works on plain http too.

/** A fresh key with a prefix naming where it was made (m- phone outbox, hl- hotline form). */
export function newClientKey(prefix = 'm'): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c?.randomUUID) return `${prefix}-${c.randomUUID()}`;
  const bytes = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return `${prefix}-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
