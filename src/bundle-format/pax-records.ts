/**
 * The records of a pax extended header (IEEE Std 1003.1 pax "pax Extended
 * Header"): `"%d %s=%s\n"`, the length counting the whole record. Strict,
 * unlike node-tar's Pax.parse, which skips a record it cannot read: here a
 * malformed record fails the archive, so that no reader can be made to see
 * another path or size than the one bmpack saw. Pure.
 */
import { ArchiveFormatError } from './format-error.js';

export function parsePaxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    if (data[at] === 0) break; // trailing NUL padding some writers leave
    const space = data.indexOf(0x20, at);
    const lengthText = space === -1 ? '' : data.subarray(at, space).toString('latin1');
    if (!/^[1-9][0-9]*$/.test(lengthText)) throw new ArchiveFormatError('malformed pax record');
    const length = Number(lengthText);
    const end = at + length;
    if (end > data.length || data[end - 1] !== 0x0a) {
      throw new ArchiveFormatError('malformed pax record');
    }
    const record = data.subarray(space + 1, end - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq <= 0) throw new ArchiveFormatError('malformed pax record');
    records.set(record.slice(0, eq), record.slice(eq + 1));
    at = end;
  }
  return records;
}

/**
 * Records in the pax form, each `"%d %s=%s\n"` with the length counting its
 * own digits. bmpack's bundles hold none; the tests write them.
 */
export function encodePaxRecords(records: Readonly<Record<string, string>>): Buffer {
  const lines = Object.entries(records).map(([key, value]) => {
    const body = ` ${key}=${value}\n`;
    const bodyLength = Buffer.byteLength(body);
    let length = bodyLength + 1;
    while (String(length).length + bodyLength !== length) length++;
    return `${length}${body}`;
  });
  return Buffer.from(lines.join(''), 'utf8');
}

/** A pax `size` record: decimal digits only. */
export function paxSize(value: string): number {
  if (!/^[0-9]+$/.test(value)) throw new ArchiveFormatError('pax size record is not a number');
  const size = Number(value);
  if (!Number.isSafeInteger(size)) throw new ArchiveFormatError('pax size record is too large');
  return size;
}
