import ArgumentParser

/// `cps-bridge status`: readers, cards, holders and PIN state, read directly (no daemon).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the readers, the CPx cards in them, their holders and PIN state (no daemon needed)."
    )

    @Flag(help: "Print one JSON document (the shape of GET /v1/status) on standard output.")
    var json = false

    func run() async throws {
        throw CommandFailure("status: not yet available")
    }
}
