/// The logic of `pawshub config check`, kept here so it runs in-process in tests.
public enum ConfigCheck {
    /// Exit status: 0 valid, 2 configuration error (the design's usage/configuration code).
    public struct Outcome: Sendable, Equatable {
        public let exitCode: Int32
        /// Text for standard output (the effective configuration) — empty on failure.
        public let output: String
        /// Text for standard error (one line per problem) — empty on success.
        public let errors: String
    }

    /// Loads `file` (nil = built-in defaults) and reports the effective values or every problem.
    public static func run(file: String?, environment: [String: String]) -> Outcome {
        do {
            let configuration = try HubConfiguration.load(file: file, environment: environment)
            return Outcome(exitCode: 0, output: ConfigurationRenderer.render(configuration), errors: "")
        } catch {
            return Outcome(exitCode: 2, output: "", errors: error.description + "\n")
        }
    }
}
