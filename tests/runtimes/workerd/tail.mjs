// Tail Worker: prints one line per finished invocation of the main Worker,
// with the CPU and wall time the runtime reports for it (TraceItem.cpuTime
// and wallTime, in ms), for tests/runtimes/workerd.test.mjs to read.
export default {
  tail(events) {
    for (const event of events) {
      const url = event.event?.request?.url ?? null;
      console.log("TAIL " + JSON.stringify({ url, cpuTime: event.cpuTime, wallTime: event.wallTime, outcome: event.outcome }));
    }
  },
};
