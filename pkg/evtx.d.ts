// Type declarations for `mshta-chain/evtx`, the optional raw-log reader
// (.evtx and Windows Event XML), in every runtime entry (Node ESM/CommonJS,
// browsers, Deno, Cloudflare Workers). Hand-written; ReadError mirrors
// evtx/src/batch.rs field for field.

/** A raw log format: what the reader reads, or what it found instead. */
export type RawFormat = "evtx" | "xml" | "json" | "unknown";

/**
 * What kind of damage a `ReadError` reports: `file_header`; `chunk` (an
 * unreadable EVTX chunk, skipped); `checksum` (a CRC32 mismatch, the chunk
 * still read); `truncated` (the input ends inside a chunk, whose complete
 * records are read); `record` (one record); `xml` (one event, or the
 * document); `encoding` (bad UTF-16 or UTF-8); `suppressed` (errors past the
 * first 1000, counted).
 */
export type ReadErrorKind =
  | "file_header"
  | "chunk"
  | "checksum"
  | "truncated"
  | "record"
  | "xml"
  | "encoding"
  | "suppressed";

/**
 * A part of the input that could not be read, and where. Integers beyond
 * 2^53 − 1 (a damaged record's id, say) are decimal strings.
 */
export interface ReadError {
  kind: ReadErrorKind;
  /** The reason, in words. */
  message: string;
  /** Position and reason in one line, e.g. "chunk 7, record 1742, offset 0x73060: ...". */
  text: string;
  /** Byte offset in the file of the damaged chunk, record or bytes. */
  offset: number | string | null;
  /** EVTX: the chunk's number (0 is the chunk after the 4 KB file header). */
  chunk: number | null;
  /** EVTX: how many consecutive chunks the error covers (1 unless a run of garbage). */
  chunks: number;
  /** EVTX: the record's EventRecordID, when its header could be read. */
  record_id: number | string | null;
  /** XML: the line (from 1) of the event or bad bytes. */
  line: number | null;
  /** Records read before the error: where it falls among them. */
  records_before: number;
}

/** What one `push` or `finish` produced. */
export interface RawBatch {
  /**
   * The records, as `evtx_dump -o jsonl` JSON Lines (UTF-8), ready for
   * `Detector.push`. Integers beyond 2^53 − 1 are JSON strings.
   */
  records: Uint8Array;
  /** How many records `records` holds. */
  count: number;
  errors: ReadError[];
}

export interface ReaderOptions {
  /** The format; omitted: told from the first bytes (EVTX magic, XML). */
  format?: "evtx" | "xml";
}

/**
 * Reads one raw log pushed in pieces cut anywhere: EVTX by 64 KB chunk (at
 * most one chunk held), XML by event (one event held). Damage is reported
 * and everything readable is read.
 */
export class EvtxReader {
  constructor(options?: ReaderOptions);
  /** "evtx" or "xml" once known ("json"/"unknown" for input it does not read), else null. */
  readonly format: RawFormat | null;
  /** Adds the next bytes of the file. */
  push(bytes: Uint8Array | ArrayBuffer | ArrayBufferView | string): RawBatch;
  /** Ends the file; the reader can then read another one. */
  finish(): RawBatch;
  /** Frees the WebAssembly memory now; later calls throw. */
  free(): void;
}

/** A new reader (same as `new EvtxReader(options)`). */
export function createEvtxReader(options?: ReaderOptions): EvtxReader;

/** Pieces of a raw log. */
export type RawSource =
  | Uint8Array
  | ArrayBuffer
  | ArrayBufferView
  | string
  | Iterable<Uint8Array | ArrayBuffer | ArrayBufferView>
  | AsyncIterable<Uint8Array | ArrayBuffer | ArrayBufferView>
  | ReadableStream<Uint8Array>;

/**
 * Reads one raw log into a detector (a `Detector` of `mshta-chain`, or
 * anything with `push(bytes)`), piece by piece.
 */
export function readRawLog(
  detector: { push(input: Uint8Array): unknown },
  source: RawSource,
  options?: ReaderOptions,
): Promise<{ format: RawFormat | null; records: number; errors: ReadError[] }>;

/** The format of a file from its first bytes (256 are plenty). */
export function sniff(head: Uint8Array | ArrayBuffer | ArrayBufferView): RawFormat;

/** The version of the reader. */
export function version(): string;

/** The API, once the module is loaded. */
export interface EvtxApi {
  EvtxReader: typeof EvtxReader;
  createEvtxReader: typeof createEvtxReader;
  readRawLog: typeof readRawLog;
  sniff: typeof sniff;
  version: typeof version;
}

/**
 * Loads the reader's WebAssembly module (browsers: fetched from
 * `dist/evtx/web/` next to the module unless given; elsewhere: already
 * loaded at import). Resolves to the API.
 */
export function init(source?: string | URL | Response | BufferSource | WebAssembly.Module): Promise<EvtxApi>;
export default init;
/** Loads the module synchronously from bytes or a compiled module. */
export function initSync(module: BufferSource | WebAssembly.Module): EvtxApi;
