// The history file format (docs/history.md): an 8-byte magic, then records framed as
// [u32 length][u32 CRC-32 of the payload][payload], little-endian. A reader stops at the first record that is cut
// short (a crash mid-append) or fails its checksum (corruption), and says which and where. Pure (Buffer only).

export const MAGIC = Buffer.from('DMHIST1\n', 'latin1');
const FRAME = 8;
/** A length beyond this is damage, not a record (the largest real one is a few kB per 10 containers). */
const MAX_RECORD = 16 * 1024 * 1024;

const enum Kind {
  Fields = 0,
  Subject = 1,
  Samples = 2,
  /** Minutes as float64, written before 2026-12-03; still read. */
  Minute64 = 3,
  /** Minutes as float32: min/avg/max of a minute need no more digits, and a day of them takes half the bytes. */
  Minute32 = 4,
}

/** Bytes per value: samples keep a refresh's figures exactly, minutes are float32 (docs/history.md). */
const FLOAT64 = 8;
const FLOAT32 = 4;
const SAMPLE_BYTES = FLOAT64;
const MINUTE_BYTES = FLOAT32;

export type HistoryRecord =
  | { kind: 'fields'; fields: string[] }
  /** Names a subject (`''` the host, else a container id) once per file; later records use its index. */
  | { kind: 'subject'; index: number; key: string; name: string }
  | { kind: 'samples'; t: number; entries: Array<{ index: number; values: Array<number | null> }> }
  | {
      kind: 'minute';
      t: number;
      entries: Array<{
        index: number;
        min: Array<number | null>;
        avg: Array<number | null>;
        max: Array<number | null>;
      }>;
    };

interface Damage {
  /** Byte offset of the first record that could not be read. */
  offset: number;
  reason: 'truncated' | 'checksum' | 'malformed' | 'not a history file';
}

let table: Uint32Array | undefined;

/** CRC-32 (IEEE, as zlib and gzip compute it). */
function crc32(buf: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = table[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// Nulls are stored as NaN: a slot per value keeps every record's layout fixed. A figure beyond float32's range
// (none of ours comes near) reads back as null rather than Infinity.
const num = (v: number | null): number => (v === null || !Number.isFinite(v) ? NaN : v);
const val = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The payload's size after its 11-byte head (kind, time, count). */
function bodySize(count: number, width: number, per: number, bytes: number): number {
  return count * (2 + width * bytes * per);
}

function payloadOf(r: HistoryRecord): Buffer {
  switch (r.kind) {
    case 'fields':
      return Buffer.concat([Buffer.from([Kind.Fields]), Buffer.from(JSON.stringify(r.fields), 'utf8')]);
    case 'subject': {
      const head = Buffer.alloc(3);
      head.writeUInt8(Kind.Subject, 0);
      head.writeUInt16LE(r.index, 1);
      return Buffer.concat([head, Buffer.from(JSON.stringify([r.key, r.name]), 'utf8')]);
    }
    case 'samples':
    case 'minute': {
      const samples = r.kind === 'samples';
      const width = r.entries.length > 0 ? entryWidth(r) : 0;
      const b = Buffer.alloc(
        11 + bodySize(r.entries.length, width, samples ? 1 : 3, samples ? SAMPLE_BYTES : MINUTE_BYTES),
      );
      b.writeUInt8(samples ? Kind.Samples : Kind.Minute32, 0);
      b.writeDoubleLE(r.t, 1);
      b.writeUInt16LE(r.entries.length, 9);
      let o = 11;
      for (const e of r.entries) {
        o = b.writeUInt16LE(e.index, o);
        const cols = 'values' in e ? [e.values] : [e.min, e.avg, e.max];
        for (const col of cols)
          for (let i = 0; i < width; i++)
            o = samples ? b.writeDoubleLE(num(col[i] ?? null), o) : b.writeFloatLE(num(col[i] ?? null), o);
      }
      return b;
    }
  }
}

function entryWidth(r: Extract<HistoryRecord, { kind: 'samples' | 'minute' }>): number {
  const e = r.entries[0];
  return 'values' in e ? e.values.length : e.avg.length;
}

/** The bytes encodeRecord(r) takes, without encoding it (a compaction sizes its file first). */
export function encodedSize(r: HistoryRecord): number {
  switch (r.kind) {
    case 'fields':
      return FRAME + 1 + Buffer.byteLength(JSON.stringify(r.fields));
    case 'subject':
      return FRAME + 3 + Buffer.byteLength(JSON.stringify([r.key, r.name]));
    case 'samples':
    case 'minute': {
      const samples = r.kind === 'samples';
      const width = r.entries.length > 0 ? entryWidth(r) : 0;
      return FRAME + 11 + bodySize(r.entries.length, width, samples ? 1 : 3, samples ? SAMPLE_BYTES : MINUTE_BYTES);
    }
  }
}

/** One framed record, ready to append. */
export function encodeRecord(r: HistoryRecord): Buffer {
  const payload = payloadOf(r);
  const frame = Buffer.alloc(FRAME);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([frame, payload]);
}

/** Decodes one checked payload; `width` is the number of fields the file declared. */
function decodePayload(p: Buffer, width: number): HistoryRecord | null {
  const kind = p.readUInt8(0);
  if (kind === Kind.Fields) {
    const fields: unknown = JSON.parse(p.subarray(1).toString('utf8'));
    return Array.isArray(fields) && fields.every((f) => typeof f === 'string') ? { kind: 'fields', fields } : null;
  }
  if (kind === Kind.Subject) {
    const v: unknown = JSON.parse(p.subarray(3).toString('utf8'));
    if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'string') return null;
    return { kind: 'subject', index: p.readUInt16LE(1), key: v[0], name: v[1] };
  }
  if (kind !== Kind.Samples && kind !== Kind.Minute64 && kind !== Kind.Minute32) return null;
  const per = kind === Kind.Samples ? 1 : 3;
  const bytes = kind === Kind.Minute32 ? FLOAT32 : FLOAT64;
  const t = p.readDoubleLE(1);
  const count = p.readUInt16LE(9);
  if (p.length !== 11 + bodySize(count, width, per, bytes)) return null;
  let o = 11;
  const col = (): Array<number | null> => {
    const out: Array<number | null> = [];
    for (let i = 0; i < width; i++, o += bytes) out.push(val(bytes === FLOAT32 ? p.readFloatLE(o) : p.readDoubleLE(o)));
    return out;
  };
  if (kind === Kind.Samples) {
    const entries: Array<{ index: number; values: Array<number | null> }> = [];
    for (let k = 0; k < count; k++) {
      const index = p.readUInt16LE(o);
      o += 2;
      entries.push({ index, values: col() });
    }
    return { kind: 'samples', t, entries };
  }
  const entries: Extract<HistoryRecord, { kind: 'minute' }>['entries'] = [];
  for (let k = 0; k < count; k++) {
    const index = p.readUInt16LE(o);
    o += 2;
    entries.push({ index, min: col(), avg: col(), max: col() });
  }
  return { kind: 'minute', t, entries };
}

export interface Decoded {
  records: HistoryRecord[];
  /** Bytes up to the end of the last good record: where an append may continue. */
  goodBytes: number;
  damage: Damage | null;
}

/**
 * Reads records one at a time up to the end or the first damage, so that a caller can yield to the event loop
 * between them (a day's file holds thousands). The first record must declare the fields.
 */
export class RecordReader {
  private o = MAGIC.length;
  private width = -1;
  /** Bytes up to the end of the last good record: where an append may continue. */
  goodBytes = 0;
  damage: Damage | null = null;

  constructor(private readonly buf: Buffer) {
    if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC))
      this.damage = { offset: 0, reason: 'not a history file' };
    else this.goodBytes = MAGIC.length;
  }

  private fail(reason: Damage['reason']): null {
    this.damage = { offset: this.o, reason };
    return null;
  }

  /** The next record; null at the end or at damage (then `damage` says which). */
  next(): HistoryRecord | null {
    const { buf, o } = this;
    if (this.damage || o >= buf.length) return null;
    if (o + FRAME > buf.length) return this.fail('truncated');
    const len = buf.readUInt32LE(o);
    if (len < 1 || len > MAX_RECORD) return this.fail('malformed');
    if (o + FRAME + len > buf.length) return this.fail('truncated');
    const payload = buf.subarray(o + FRAME, o + FRAME + len);
    if (crc32(payload) !== buf.readUInt32LE(o + 4)) return this.fail('checksum');
    let r: HistoryRecord | null;
    try {
      r = decodePayload(payload, this.width);
    } catch {
      r = null;
    }
    if (!r || (this.width < 0 && r.kind !== 'fields')) return this.fail('malformed');
    if (r.kind === 'fields') this.width = r.fields.length;
    this.o = o + FRAME + len;
    this.goodBytes = this.o;
    return r;
  }
}

/** Every record up to the end or the first damage, at once (tests and small files). */
export function decodeFile(buf: Buffer): Decoded {
  const reader = new RecordReader(buf);
  const records: HistoryRecord[] = [];
  for (let r = reader.next(); r; r = reader.next()) records.push(r);
  return { records, goodBytes: reader.goodBytes, damage: reader.damage };
}
