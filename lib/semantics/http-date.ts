/**
 * HTTP-date parsing (RFC 9110 §5.6.7, as used by RFC 9111 §4.2 and §5.3).
 *
 * Accepts the preferred IMF-fixdate and the two obsolete formats, case-insensitively (§4.2:
 * "a cache recipient SHOULD match the field value case-insensitively"), and nothing else.
 * Only "GMT" is accepted as the zone (§4.2: "SHOULD consider a date with a zone abbreviation
 * other than "GMT" to be invalid"). Local time zones never take part (§4.2 MUST NOT).
 *
 * Two-digit years of the RFC 850 format: the RFC resolves them relative to the current date
 * (more than 50 years in the future means the previous century). This layer never reads the
 * clock, so it uses the fixed pivot of most implementations instead: 00-69 -> 20xx, 70-99 -> 19xx.
 */
import { BoundedMemo } from './memo.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const SHORT_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const LONG_DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

// Sun, 06 Nov 1994 08:49:37 GMT
const IMF_FIXDATE = /^([a-z]{3}), (\d{2}) ([a-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) gmt$/;
// Sunday, 06-Nov-94 08:49:37 GMT
const RFC_850 = /^([a-z]+), (\d{2})-([a-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) gmt$/;
// Sun Nov  6 08:49:37 1994
const ASCTIME = /^([a-z]{3}) ([a-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

interface DateParts {
  readonly year: number;
  readonly month: string;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

function toEpochMs(parts: DateParts): number | undefined {
  const monthIndex = MONTHS.indexOf(parts.month);
  if (monthIndex === -1) return undefined;
  // RFC 9110 §5.6.7 allows second 60 (leap second); Date.UTC rolls it into the next minute.
  if (parts.hour > 23 || parts.minute > 59 || parts.second > 60) return undefined;
  const at = Date.UTC(parts.year, monthIndex, parts.day, parts.hour, parts.minute, parts.second);
  // Reject calendar overflow such as 31 Feb (Date.UTC would roll it into March).
  const check = new Date(at);
  if (check.getUTCMonth() !== monthIndex || check.getUTCDate() !== parts.day) return undefined;
  return at;
}

function num(value: string | undefined): number {
  return Number((value ?? '').trim());
}

/** Parsed HTTP-dates by field value, bounded in bytes (see {@link BoundedMemo}). Exported for tests. */
export const httpDateMemo = new BoundedMemo<number | undefined>(() => 8);

/**
 * Parses an HTTP-date into epoch ms; undefined when the value is not a valid HTTP-date.
 * Memoised by value within `MEMO_BUDGET_BYTES` (256 KB, memo.ts): a hit reads the same stored Date, Expires
 * and Last-Modified again.
 */
export function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return httpDateMemo.remember(value, parseUncached);
}

function parseUncached(value: string): number | undefined {
  const text = value.trim().toLowerCase();

  let m = IMF_FIXDATE.exec(text);
  if (m !== null) {
    if (!SHORT_DAYS.includes(m[1] ?? '')) return undefined;
    return toEpochMs({ day: num(m[2]), month: m[3] ?? '', year: num(m[4]), hour: num(m[5]), minute: num(m[6]), second: num(m[7]) });
  }

  m = RFC_850.exec(text);
  if (m !== null) {
    if (!LONG_DAYS.includes(m[1] ?? '')) return undefined;
    const yy = num(m[4]);
    const year = yy < 70 ? 2000 + yy : 1900 + yy;
    return toEpochMs({ day: num(m[2]), month: m[3] ?? '', year, hour: num(m[5]), minute: num(m[6]), second: num(m[7]) });
  }

  m = ASCTIME.exec(text);
  if (m !== null) {
    if (!SHORT_DAYS.includes(m[1] ?? '')) return undefined;
    return toEpochMs({ month: m[2] ?? '', day: num(m[3]), hour: num(m[4]), minute: num(m[5]), second: num(m[6]), year: num(m[7]) });
  }

  return undefined;
}
