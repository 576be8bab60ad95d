import Foundation
import Testing
@testable import Hub

@Suite("pawshub config check")
struct ConfigurationCheckCommandTests {
    @Test("a valid file prints the effective configuration and exits 0")
    func validFile() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory + "/pawshub.yaml"
        try "Spawner:\n  mem_limit: 3G\n".write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = ConfigCheck.run(file: path, environment: [:])
        #expect(outcome.exitCode == 0)
        #expect(outcome.errors.isEmpty)
        #expect(outcome.output.contains("mem_limit: 3221225472"))
        #expect(outcome.output.contains("# effective configuration from \(path)"))
    }

    @Test("no file checks the built-in defaults")
    func noFile() {
        let outcome = ConfigCheck.run(file: nil, environment: [:])
        #expect(outcome.exitCode == 0)
        #expect(outcome.output.contains("authenticator_class: dummy"))
    }

    @Test("an invalid file prints one line per problem and exits 2")
    func invalidFile() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory + "/pawshub.yaml"
        try "Spawner:\n  mem_limt: 3G\n  cpu_limit: lots\n".write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = ConfigCheck.run(file: path, environment: [:])
        #expect(outcome.exitCode == 2)
        #expect(outcome.output.isEmpty)
        #expect(outcome.errors == """
            \(path):2: Spawner.mem_limt: unknown trait (did you mean mem_limit?)
            \(path):3: Spawner.cpu_limit: expected a number, got `lots`

            """)
    }

    @Test("a missing file is one clear line and exit 2")
    func missingFile() {
        let outcome = ConfigCheck.run(file: "/nonexistent/pawshub.yaml", environment: [:])
        #expect(outcome.exitCode == 2)
        #expect(outcome.errors == "/nonexistent/pawshub.yaml: cannot read configuration file: no such file\n")
    }

    @Test("a directory given as the file is refused clearly")
    func directoryAsFile() throws {
        let directory = try makeTemporaryDirectory()
        let outcome = ConfigCheck.run(file: directory, environment: [:])
        #expect(outcome.exitCode == 2)
        #expect(outcome.errors == "\(directory): cannot read configuration file: it is a directory\n")
    }
}
