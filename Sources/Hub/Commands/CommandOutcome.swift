/// What an administrative command produced: exit status and the text for stdout and stderr.
/// Commands are run in-process by tests, so they return this instead of printing and exiting.
public struct CommandOutcome: Sendable, Equatable {
    /// 0 ok, 1 runtime failure, 2 usage or configuration error (the design's codes).
    public let exitCode: Int32
    public let output: String
    public let errors: String

    public init(exitCode: Int32, output: String = "", errors: String = "") {
        self.exitCode = exitCode
        self.output = output
        self.errors = errors
    }

    static func configurationError(_ message: String) -> CommandOutcome { CommandOutcome(exitCode: 2, errors: message + "\n") }
    static func failure(_ message: String) -> CommandOutcome { CommandOutcome(exitCode: 1, errors: message + "\n") }
}
