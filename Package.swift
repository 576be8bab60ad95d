// swift-tools-version: 6.1
// PawsHub: a JupyterHub-compatible hub in one Swift binary. Dependencies point one way:
// pawshub → Hub → {Proxy, Auth, Spawners, Store} → HTTP → CSystem; Store and Proxy also use CivilTime (no
// dependencies). No SwiftNIO anywhere.
import PackageDescription

/// Release builds of the request-path modules skip the dynamic exclusivity checks: callgrind put
/// `swift_beginAccess` and its access set at ~4 % of the instructions of a proxied request. Debug
/// builds (and so the tests) keep them, and still catch overlapping accesses.
let requestPathSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

/// The engine, the proxy and the hub run every connection task on its event loop. With nonisolated async
/// functions running on their caller's executor (SE-0461), an `await` between them no longer goes
/// through `swift_task_switch` and the task-executor-preference lookup (~1,500 instructions per
/// proxied request by callgrind); code that must run elsewhere says so with `@concurrent`.
let loopModuleSettings: [SwiftSetting] = requestPathSettings + [
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

/// Release links of `pawshub` are laid out for a small resident set (the hub benchmark's idle hub with 10,000
/// users: 37 → 30 MiB; not linking the unused libcurl took it from 41 to 37). lld packs the ~90,000 relative
/// relocations into a bitmap (`pack-relative-relocs`, DT_RELR, glibc ≥ 2.36: 2.1 MiB of `.rela.dyn` the loader
/// read at every start); the executable exports no symbols (the static stdlib's link arguments export 14,000
/// that nothing looks up but every library symbol lookup probed); and the functions a running hub executes are
/// placed together at the start of `.text` (`scripts/hot-functions.txt`, from `scripts/hot-functions.sh`),
/// because the kernel maps code 64 KiB at a time around each touched page. Debug builds (and other platforms)
/// keep the defaults.
let releaseLinkSettings: [LinkerSetting] = [
    .unsafeFlags([
        "-use-ld=lld",
        "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
        "-Xlinker", "--no-export-dynamic",
        "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/scripts/hot-functions.txt",
        "-Xlinker", "--no-warn-symbol-ordering",
    ], .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
    name: "PawsHub",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pawshub", targets: ["pawshub"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // C shim: epoll, eventfd, accept4, OpenSSL, zlib. libcurl (for the Kubernetes spawner) is not linked until
        // code calls it: loaded for nothing, it and its TLS/Kerberos/LDAP libraries cost ~3.8 MiB of every hub's RSS.
        .target(
            name: "CSystem",
            linkerSettings: [
                .linkedLibrary("ssl"), .linkedLibrary("crypto"),
                .linkedLibrary("z"),
            ]
        ),
        // Calendar arithmetic shared by the stored, wire and proxy timestamps; depends on nothing.
        .target(name: "CivilTime", swiftSettings: requestPathSettings),
        .target(
            name: "HTTP",
            dependencies: [
                "CSystem",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: loopModuleSettings
        ),
        .target(
            name: "Proxy",
            dependencies: [
                "HTTP", "CSystem", "CivilTime",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: loopModuleSettings
        ),
        // Migrations/*.sql are compiled into Store by the EmbedMigrations build-tool plugin, so the
        // schema travels inside the binary (no resource bundle to forget when copying it into an image).
        .target(
            name: "Store",
            dependencies: [
                "CivilTime",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["EmbedMigrations"]
        ),
        .executableTarget(name: "EmbedMigrationsTool", path: "Plugins/EmbedMigrationsTool"),
        .plugin(
            name: "EmbedMigrations",
            capability: .buildTool(),
            dependencies: ["EmbedMigrationsTool"]
        ),
        // Child process for StoreTests' kill -9 durability test.
        .executableTarget(name: "store-crash-helper", dependencies: ["Store"], path: "Tests/StoreCrashHelper"),
        .target(
            name: "Auth",
            dependencies: [
                "CSystem",
            ],
            swiftSettings: requestPathSettings
        ),
        // Where single-user servers run: the Spawner protocol and its implementations.
        .target(
            name: "Spawners",
            dependencies: [
                "HTTP",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Hub",
            dependencies: [
                "HTTP", "Proxy", "Store", "Auth", "Spawners", "CivilTime",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: loopModuleSettings
        ),
        .executableTarget(
            name: "pawshub",
            dependencies: [
                "HTTP", "Proxy", "Store", "Auth", "Hub",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            linkerSettings: releaseLinkSettings
        ),
        .testTarget(name: "CivilTimeTests", dependencies: ["CivilTime"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"]),
        .testTarget(name: "ProxyTests", dependencies: ["Proxy", "HTTP"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "store-crash-helper"]),
        .testTarget(name: "AuthTests", dependencies: ["Auth"]),
        .testTarget(name: "SpawnersTests", dependencies: ["Spawners"]),
        .testTarget(name: "HubTests", dependencies: ["Hub"]),
        // Starts the built `pawshub` binary as a subprocess and talks to it over sockets.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "HTTP",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
