@_spi(ExperimentalCustomExecutors) import _Concurrency
import NIOPosix

/// The executors of a process whose tasks should run on NIO's event loops
/// (`EventLoopTaskExecutor`): the main executor stays the platform's (the main thread),
/// the default one becomes the event loops of `MultiThreadedEventLoopGroup.singleton`, the
/// group the daemon's server already uses.
public enum ProcessExecutors {
    /// Installs the executors. Call it once, first thing in `main`, before any task starts:
    /// a job already handed to the platform's default executor stays there.
    ///
    /// Swift 6.3 ships this as an experimental interface (the "custom main and global
    /// executors" proposal, SPI `ExperimentalCustomExecutors`); it replaces the runtime's
    /// older, unsupported `swift_task_enqueueGlobal_hook`, which did not cover sleeps.
    public static func installEventLoops() {
        _createExecutors(factory: EventLoopExecutorFactory.self)
    }

    /// Whether a job running now runs on one of the singleton group's event loops: what a
    /// process that called `installEventLoops()` sees from a plain task.
    public static var onEventLoop: Bool {
        MultiThreadedEventLoopGroup.currentEventLoop != nil
    }
}

struct EventLoopExecutorFactory: ExecutorFactory {
    static let mainExecutor: any MainExecutor = PlatformExecutorFactory.mainExecutor
    static let defaultExecutor: any TaskExecutor = EventLoopTaskExecutor(group: .singleton)
}
