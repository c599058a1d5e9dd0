// `mshta-chain/evtx` under Deno (pkg/evtx-deno.js, by file path), driven by
// tests/runtimes/evtx.test.mjs: reads the EVTX file given as a stream into
// the package's Detector and prints the result as JSON.
//
//   deno run --allow-read tests/runtimes/evtx/deno.mjs FILE.evtx

import { Detector } from "../../../pkg/deno.js";
import { readRawLog, version } from "../../../pkg/evtx-deno.js";

const file = await Deno.open(Deno.args[0]);
const detector = new Detector();
const result = await readRawLog(detector, file.readable);
console.log(JSON.stringify({ ...result, version: version(), report: detector.finish() }));
detector.free();
