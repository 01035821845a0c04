/** ISO-8601 durations of `POST /_admin/clock` (the pattern of the admin spec's `ClockRequest`). */
const DURATION =
  /^P(?=\d|T\d)(?:(\d{1,6})D)?(?:T(?=\d)(?:(\d{1,8})H)?(?:(\d{1,10})M)?(?:(\d{1,12}(?:\.\d{1,3})?)S)?)?$/;

/** Milliseconds of a duration of days, hours, minutes and seconds (`P1D`, `PT25H`, `PT0.5S`). */
export function durationMs(text: string): number {
  const m = DURATION.exec(text);
  if (!m) throw new TypeError(`not an ISO-8601 duration of days to seconds: ${text}`);
  const [, d = "0", h = "0", min = "0", sec = "0"] = m;
  return Math.round(
    ((Number(d) * 24 + Number(h)) * 60 + Number(min)) * 60_000 + Number(sec) * 1000,
  );
}
