// swift-tools-version: 6.1
// PawsHub: a JupyterHub-compatible hub in one Swift binary. Dependencies point one way:
// pawshub → Hub → {Proxy, Auth, Spawners, Store} → HTTP → CSystem. No SwiftNIO anywhere.
import PackageDescription

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
    ],
    targets: [
        // C shim: epoll, eventfd, accept4, OpenSSL, zlib and typed wrappers for variadic libcurl calls.
        .target(
            name: "CSystem",
            linkerSettings: [
                .linkedLibrary("ssl"), .linkedLibrary("crypto"),
                .linkedLibrary("z"), .linkedLibrary("curl"),
            ]
        ),
        .target(
            name: "HTTP",
            dependencies: [
                "CSystem",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Proxy",
            dependencies: [
                "HTTP",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Store",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "Auth",
            dependencies: [
                "CSystem",
            ]
        ),
        .executableTarget(
            name: "pawshub",
            dependencies: [
                "HTTP", "Proxy", "Store", "Auth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"]),
        .testTarget(name: "ProxyTests", dependencies: ["Proxy", "HTTP"]),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        .testTarget(name: "AuthTests", dependencies: ["Auth"]),
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
