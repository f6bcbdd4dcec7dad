import type { GetResult, Keys, SegmentSchema } from '../pkg/node/murr.js';

/** A segment file read by byte range: an object with its size and a range fetch. */
export interface RangeSource {
    size: number;
    fetchRange(offset: number, length: number): Promise<Uint8Array>;
}

export interface RemoteSegmentOptions {
    /** Merge needed ranges less than `gap` bytes apart into one request. */
    gap?: number;
    /** The name in error messages (default: the URL, or "(fetchRange source)"). */
    name?: string;
    /** Options of every `fetch` of a URL source (headers, credentials...). */
    fetchInit?: RequestInit;
}

/**
 * A segment read by byte range (HTTP `Range` requests, or `fetchRange`): only the footer,
 * and per read the pages it touches, are fetched; every page is checked against its CRC.
 */
export declare class RemoteSegment {
    static open(source: string | URL | RangeSource, options?: RemoteSegmentOptions): Promise<RemoteSegment>;
    schema(): SegmentSchema;
    rowCount(): number;
    /** The file's size in bytes. */
    readonly size: number;
    /** Bytes of verified pages kept for later reads. */
    readonly keptBytes: number;
    /** Bytes fetched so far (open included). */
    bytesFetched: number;
    /** Range requests so far (open included). */
    requests: number;
    /** Reads `columns` for `keys`, as `SegmentReader.get`; free the result when done. */
    get(keys: Keys, columns: string[]): Promise<GetResult>;
    free(): void;
}
