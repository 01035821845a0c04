const SDK_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/**
 * Formats a date as `X-Sdk-Date` expects: `YYYYMMDDTHHMMSSZ` in UTC, seconds precision.
 *
 * @example formatSdkDate(new Date("2024-01-02T03:04:05.678Z")) // "20240102T030405Z"
 * @throws {TypeError} for an invalid date or a year outside 0000–9999
 */
export function formatSdkDate(date: Date): string {
  const year = date.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) {
    throw new TypeError("formatSdkDate: invalid or out-of-range date");
  }
  return (
    `${year}`.padStart(4, "0") +
    pad2(date.getUTCMonth() + 1) +
    pad2(date.getUTCDate()) +
    "T" +
    pad2(date.getUTCHours()) +
    pad2(date.getUTCMinutes()) +
    pad2(date.getUTCSeconds()) +
    "Z"
  );
}

/**
 * Strictly parses an `X-Sdk-Date` value (`YYYYMMDDTHHMMSSZ`, a real calendar date/time).
 *
 * @returns the instant, or `null` if the value is not exactly in that form
 */
export function parseSdkDate(value: string): Date | null {
  const m = SDK_DATE.exec(value);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC silently rolls over (month 13, second 60…); round-tripping rejects those.
  if (Number.isNaN(date.getTime()) || formatSdkDate(date) !== value) return null;
  return date;
}
