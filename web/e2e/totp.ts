import { createHmac } from 'node:crypto';

/**
 * An authenticator app for the tests: RFC 6238 time-based codes (HMAC-SHA1, 30-second steps,
 * six digits), as the API checks them.
 */
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const STEP_MS = 30_000;
const DIGITS = 6;

/** The bytes of a base32 secret (RFC 4648; case, spaces and padding aside). */
export function base32Bytes(text: string): Buffer {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text.toUpperCase().replace(/[\s=]/g, '')) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error(`Not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** The time step of `at` (milliseconds since the epoch). */
export function stepAt(at = Date.now()): number {
  return Math.floor(at / STEP_MS);
}

/** The code for time step `step` (RFC 4226's HOTP with the step as its counter). */
export function totp(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Bytes(secret)).update(counter).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** DIGITS).padStart(DIGITS, '0');
}

/**
 * The codes of one secret. The API takes each time step once, and the step before or after the
 * current one too: a code is the current step's, or the next one's when the current one was used.
 */
export class Authenticator {
  private lastStep = -Infinity;

  constructor(readonly secret: string) {}

  /**
   * A code the API takes now, never one of a step used before. Two codes fit in any moment (the
   * current step's and the next one's); a spec that needs a third proves itself with a recovery
   * code instead of waiting for the clock.
   */
  code(): string {
    const step = Math.max(stepAt(), this.lastStep + 1);
    if (step > stepAt() + 1) {
      throw new Error('Both codes the API takes now are spent: use a recovery code for a third proof');
    }
    this.lastStep = step;
    return totp(this.secret, step);
  }

  /** Six digits the API refuses now: the code of no step it would take. */
  wrongCode(): string {
    const now = stepAt();
    const taken = new Set([-2, -1, 0, 1, 2].map((d) => totp(this.secret, now + d)));
    let guess = 0;
    while (taken.has(String(guess).padStart(DIGITS, '0'))) guess++;
    return String(guess).padStart(DIGITS, '0');
  }
}
