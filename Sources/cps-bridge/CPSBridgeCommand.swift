import ArgumentParser

struct CPSBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cps-bridge",
        abstract: "Log in to health services with a CPS card: the card's side of Pro Santé Connect on Linux.",
        subcommands: [ServeCommand.self, DispatchCommand.self, StatusCommand.self, DoctorCommand.self, InspectCommand.self, DemoHandover.self]
    )
}

extension CPSBridgeCommand {
    /// What `AsyncParsableCommand.main()` does. From main.swift's top-level code Swift picks
    /// the synchronous `main()`, which refuses an asynchronous command; from an `async`
    /// function it picks `run() async`.
    static func parseAndRun() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
