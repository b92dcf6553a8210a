import EventLoopExecutor

// Before any task exists: every task and timer of the process runs on NIO's event loops
// rather than libdispatch's pool, whose monitor would wake an idle daemon once a second
// (EventLoopExecutor; BENCHMARKS.md, "wake-ups").
ProcessExecutors.installEventLoops()
await CPSBridgeCommand.parseAndRun()
