// The gate's `created-after` input: an ISO 8601 date or date-time (UTC when it names no zone), or
// an age such as `7d` or `36h` counted back from the start of the run.

const AGE = /^([0-9]{1,6})\s*([dhm])$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const UNIT_MS: Readonly<Record<string, number>> = { d: 86_400_000, h: 3_600_000, m: 60_000 };

/** The instants a query can carry: from the Unix epoch to the last moment of year 9999 (four-digit years). */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The instant, or a message saying what is wrong (for the input's problem line). */
export function parseCreatedAfter(text: string, now: Date): Date | string {
  const at = parse(text.trim(), now);
  if (typeof at === 'string') return at;
  if (at.getTime() < EARLIEST) return 'is before 1970-01-01; give a later date or a shorter age';
  if (at.getTime() > LATEST) return 'is after 9999-12-31; give an earlier date';
  return at;
}

function parse(t: string, now: Date): Date | string {
  const age = AGE.exec(t);
  if (age) {
    const ms = Number(age[1]) * UNIT_MS[age[2]!.toLowerCase()]!;
    return new Date(now.getTime() - ms);
  }
  const date = DATE.exec(t);
  if (date) return checked(t, Number(date[1]), Number(date[2]), Number(date[3]), 0, 0, 0, '', 'Z');
  const dt = DATE_TIME.exec(t);
  if (dt) {
    const [, y, mo, d, h, mi, s = '0', frac = '', zone = 'Z'] = dt;
    return checked(t, Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), frac, zone);
  }
  return 'must be a date (2026-11-30), a date-time (2026-11-30T08:00:00Z; UTC when no zone is given) or an age (7d, 36h, 90m)';
}

function checked(
  text: string,
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  frac: string,
  zone: string
): Date | string {
  // setUTCFullYear, not Date.UTC, which reads years 0-99 as 1900-1999.
  const back = new Date(0);
  back.setUTCFullYear(y, mo - 1, d);
  back.setUTCHours(h, mi, s, frac ? Math.floor(Number(`0${frac}`) * 1000) : 0);
  const ms = back.getTime();
  // Date.UTC rolls 2026-02-30 over into March; a date that is not on the calendar is a typo.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return `${JSON.stringify(text)} is not a real date and time`;
  }
  if (zone.toUpperCase() === 'Z') return back;
  const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  const offset = (Number(z[2]) * 60 + Number(z[3])) * 60_000 * (z[1] === '+' ? 1 : -1);
  return new Date(ms - offset);
}
