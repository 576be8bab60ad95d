// Child process for StoreTests' durability test: writes records in a loop and prints "committed N" after
// each commit returns; the test kills it with SIGKILL at a random moment and checks every reported write.
// Usage: store-crash-helper DB_PATH [MAX_WRITES]
import Foundation
import Store

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: store-crash-helper DB_PATH [MAX_WRITES]\n".utf8))
    exit(2)
}
let maxWrites = arguments.count >= 3 ? Int(arguments[2]) ?? 100_000 : 100_000

do {
    let store = try Store(path: arguments[1])
    try store.migrate()
    FileHandle.standardOutput.write(Data("ready\n".utf8))
    for index in 0..<maxWrites {
        // Three writes per step; "committed N" is printed only after all three returned, so each must survive.
        let user = try await store.createUser(NewUser(name: "crash-\(index)"))
        _ = try await store.createToken(NewAPIToken(prefix: "c\(String(format: "%03d", index % 1000))",
                                                    hashed: "sha512:1:salt:\(index)", owner: .user(user.id), scopes: []))
        try await store.bumpUserActivity([user.id: .now()])
        FileHandle.standardOutput.write(Data("committed \(index)\n".utf8))
    }
} catch {
    FileHandle.standardError.write(Data("store-crash-helper: \(error)\n".utf8))
    exit(1)
}
