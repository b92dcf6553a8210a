import ArgumentParser

@main
struct CPSBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cps-bridge",
        abstract: "Log in to health services with a CPS card: the card's side of Pro Santé Connect on Linux.",
        subcommands: [ServeCommand.self, DispatchCommand.self, StatusCommand.self, DoctorCommand.self, InspectCommand.self, DemoHandover.self]
    )
}
