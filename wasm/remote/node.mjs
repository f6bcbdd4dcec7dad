// RemoteSegment for Node (the wasm module of pkg/node, loaded synchronously).
import { RemoteSegmentCore } from '../pkg/node/murr.js';
import { defineRemoteSegment } from './core.mjs';

export const RemoteSegment = defineRemoteSegment(RemoteSegmentCore);
