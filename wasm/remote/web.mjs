// RemoteSegment for browsers and bundlers (the wasm module of pkg/web: call its default
// export, `init`, once before `RemoteSegment.open`).
import { RemoteSegmentCore } from '../pkg/web/murr.js';
import { defineRemoteSegment } from './core.mjs';

export { default as init } from '../pkg/web/murr.js';
export const RemoteSegment = defineRemoteSegment(RemoteSegmentCore);
