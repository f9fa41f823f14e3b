// Validity windows. notBefore is back-dated a little so a peer whose clock runs slightly behind
// does not reject a certificate made seconds ago; tests may place both ends in the past to get
// an expired certificate.
import { PkiError } from './errors';

export const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60 * 1000;
export const DEFAULT_CA_VALIDITY_DAYS = 3650;
export const DEFAULT_LEAF_VALIDITY_DAYS = 365;
/** Past this, dates stop being representable in every X.509 parser we rely on. */
export const MAX_VALIDITY_DAYS = 36500;
const MS_PER_DAY = 24 * 60 * 60 * 1000;

export interface ValidityOptions {
  /** Days from `now` to notAfter; ignored when notAfter is given. */
  validityDays?: number;
  /** Defaults to `now` minus the clock-skew allowance. */
  notBefore?: Date;
  notAfter?: Date;
  /** The clock; defaults to the current time. */
  now?: Date;
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

export function validateValidityDays(days: number, field = 'validityDays'): number {
  if (!Number.isInteger(days) || days < 1 || days > MAX_VALIDITY_DAYS) {
    throw new PkiError(`${field} must be a whole number of days between 1 and ${MAX_VALIDITY_DAYS}, got ${days}`);
  }
  return days;
}

function validateDate(date: Date, field: string): Date {
  if (Number.isNaN(date.getTime())) {
    throw new PkiError(`${field} must be a valid date, got an invalid Date`);
  }
  return date;
}

export function computeValidity(options: ValidityOptions, defaultDays: number): Validity {
  const now = validateDate(options.now ?? new Date(), 'now');
  const notBefore = validateDate(options.notBefore ?? new Date(now.getTime() - CLOCK_SKEW_ALLOWANCE_MS), 'notBefore');
  const days = validateValidityDays(options.validityDays ?? defaultDays);
  const notAfter = validateDate(options.notAfter ?? new Date(now.getTime() + days * MS_PER_DAY), 'notAfter');
  if (notAfter.getTime() <= notBefore.getTime()) {
    throw new PkiError(`notAfter must be later than notBefore, got notBefore ${notBefore.toISOString()} and notAfter ${notAfter.toISOString()}`);
  }
  return { notBefore, notAfter };
}
