// MODS records local (UK) dates and times without an offset; FHIR dateTimes with a time need one.
// These convert between the two through the Europe/London time zone, so 10:15 on a summer day is
// 10:15+01:00 and reads back as 10:15.

const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

/** The local date and time in London of an instant: ['2025-09-12', '10:15:00']. */
function londonParts(at: Date): [string, string] {
  const p = Object.fromEntries(LONDON.formatToParts(at).map((x) => [x.type, x.value]));
  return [`${p.year}-${p.month}-${p.day}`, `${p.hour}:${p.minute}:${p.second}`];
}

const withSeconds = (time: string): string => (time.length === 5 ? `${time}:00` : time);

/** The UK offset in force at a local date and time ('+00:00' or '+01:00'); the earlier one when clocks go back. */
function offsetAt(date: string, time: string): string {
  for (const offset of ['+01:00', '+00:00']) {
    const [d, t] = londonParts(new Date(`${date}T${withSeconds(time)}${offset}`));
    if (d === date && t === withSeconds(time)) return offset;
  }
  return '';
}

export function localTimeExists(date: string, time: string): boolean {
  return offsetAt(date, time) !== '';
}

/** FHIR dateTime for a MODS Date and optional Time. */
export function toFhirDateTime(date: string, time?: string): string {
  return time === undefined ? date : `${date}T${withSeconds(time)}${offsetAt(date, time)}`;
}

/** MODS Date and Time from a FHIR dateTime; a time of hh:mm:00 reads back as hh:mm. */
export function fromFhirDateTime(value: string): { date: string; time?: string } {
  if (!value.includes('T')) return { date: value };
  const [date, time] = londonParts(new Date(value));
  return { date, time: time.endsWith(':00') ? time.slice(0, 5) : time };
}
