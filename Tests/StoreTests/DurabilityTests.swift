import Foundation
import GRDB
import Testing
@testable import Store

@Suite("Durability and scale")
struct DurabilityTests {
    /// The helper executable sits next to the test bundle in SwiftPM's build folder.
    static var helperPath: String {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appending(path: "store-crash-helper").path(percentEncoded: false)
    }

    /// Indices from complete `committed N` lines (a line cut by the kill has no newline and does not count).
    static func committedLines(in text: String) -> [Int] {
        guard let end = text.lastIndex(of: "\n") else { return [] }
        return text[..<end].split(separator: "\n").compactMap { line in
            line.hasPrefix("committed ") ? Int(line.dropFirst("committed ".count)) : nil
        }
    }

    @Test("every write a process reported as committed survives kill -9, and the file passes integrity_check")
    func killNine() async throws {
        let dir = try TemporaryDirectory()
        let dbPath = dir.path("hub.sqlite")
        let outPath = dir.path("out.txt")
        #expect(FileManager.default.createFile(atPath: outPath, contents: nil))
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))

        let child = Process()
        child.executableURL = URL(fileURLWithPath: Self.helperPath)
        child.arguments = [dbPath, "100000"]
        child.standardOutput = output
        child.standardError = output
        try child.run()
        defer { if child.isRunning { kill(child.processIdentifier, SIGKILL) } }

        // Kill at a random point well into the loop, mid-stream rather than at a quiet moment.
        let target = Int.random(in: 40...120)
        let deadline = Date().addingTimeInterval(60)
        var seen = 0
        while seen < target, Date() < deadline, child.isRunning {
            try await Task.sleep(for: .milliseconds(5))
            seen = Self.committedLines(in: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "").count
        }
        #expect(child.isRunning, "helper exited early: \((try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "")")
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        try output.close()
        #expect(child.terminationReason == .uncaughtSignal && child.terminationStatus == SIGKILL)

        let committed = Self.committedLines(in: try String(contentsOfFile: outPath, encoding: .utf8))
        #expect(committed.count >= seen && seen >= target)
        #expect(committed == Array(0..<committed.count))

        let store = try Store(path: dbPath)
        try store.migrate()
        let integrity = try await store.testRead { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        #expect(integrity == ["ok"])
        let fkProblems = try await store.testRead { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count }
        #expect(fkProblems == 0)
        for index in committed {
            let user = try await store.user(named: "crash-\(index)")
            #expect(user != nil, "committed write \(index) was lost")
            #expect(user?.lastActivity != nil, "committed activity \(index) was lost")
            if let user {
                #expect(try await store.tokens(of: .user(user.id)).count == 1, "token \(index) was lost")
            }
        }
    }

    @Test("start-up read of 10,000 users with 1,000 running servers stays fast (sanity bound, not a benchmark)")
    func startupAtScale() async throws {
        let (store, dir) = try makeFileStore()
        let users = try await store.createUsers((0..<10_000).map { NewUser(name: "user-\($0)") })
        #expect(users.count == 10_000)
        try await store.writer.write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO servers (user_id, name, url, started, ready, state) VALUES (?, '', ?, ?, 1, '{"pod_name":"p"}')
                """)
            for user in users where user.id.rawValue % 10 == 0 {
                try insert.execute(arguments: [user.id, "http://10.0.0.1:8888/user/\(user.name)/", Timestamp.now()])
            }
        }
        let reopened = try Store(path: dir.path("hub.sqlite"))
        try reopened.migrate()
        let clock = ContinuousClock()
        let start = clock.now
        let snapshot = try await reopened.loadStartupSnapshot()
        let firstPage = try await reopened.users(matching: UserQuery(state: .ready), page: PageRequest(limit: 200))
        let elapsed = clock.now - start
        #expect(snapshot.activeServers.count == 1_000 && snapshot.owners.count == 1_000 && snapshot.userCount == 10_000)
        #expect(firstPage.total == 1_000 && firstPage.items.count == 200)
        #expect(elapsed < .seconds(2), "start-up read took \(elapsed)")
        let bumps = Dictionary(uniqueKeysWithValues: snapshot.activeServers.map { ($0.server.id, Timestamp.now()) })
        let bumpStart = clock.now
        #expect(try await reopened.bumpServerActivity(bumps) == 1_000)
        #expect(clock.now - bumpStart < .seconds(2))
    }
}
