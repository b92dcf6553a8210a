// swift-tools-version:6.0
import PackageDescription

/// Every target gets the same settings (STYLE.md, habit 15).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "cps-bridge",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cps-bridge", targets: ["cps-bridge"]),
        .executable(name: "cps-card-sim", targets: ["cps-card-sim"]),
        .library(name: "SmartCard", targets: ["SmartCard"]),
        .library(name: "PCSC", targets: ["PCSC"]),
        .library(name: "PKCS11", targets: ["PKCS11"]),
        .library(name: "CPSSimulator", targets: ["CPSSimulator"]),
        .library(name: "CPSIdentity", targets: ["CPSIdentity"]),
        .library(name: "CPSCard", targets: ["CPSCard"]),
        .library(name: "BridgeProtocol", targets: ["BridgeProtocol"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
    ],
    targets: [
        // C stays behind two doors: only PCSC and PKCS11 import these.
        .systemLibrary(
            name: "CPCSCLite",
            pkgConfig: "libpcsclite",
            providers: [.apt(["libpcsclite-dev"])]
        ),
        .systemLibrary(
            name: "CPKCS11",
            pkgConfig: "p11-kit-1",
            providers: [.apt(["libp11-kit-dev"])]
        ),
        .target(name: "PCSC", dependencies: ["CPCSCLite"], swiftSettings: swiftSettings),
        .target(name: "PKCS11", dependencies: ["CPKCS11"], swiftSettings: swiftSettings),
        .target(name: "SmartCard", swiftSettings: swiftSettings),
        // The wire protocol: a leaf, Foundation only, shared by the server and the verifier.
        .target(name: "BridgeProtocol", swiftSettings: swiftSettings),
        .target(
            name: "CPSIdentity",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CPSCard",
            dependencies: [
                "PCSC", "PKCS11", "SmartCard", "CPSIdentity",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CPSSimulator",
            dependencies: [
                "SmartCard",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "cps-card-sim",
            dependencies: [
                "CPSSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // The local API's policies (origins, Host, CORS, rates); the Hummingbird server comes next.
        .target(
            name: "BridgeServer",
            dependencies: [
                "BridgeProtocol", "CPSCard", "CPSIdentity",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BridgeServerTests",
            dependencies: [
                "BridgeServer", "BridgeProtocol", "CPSCard", "CardTestBed",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "cps-bridge",
            dependencies: [
                "CPSCard", "CPSIdentity", "PCSC", "PKCS11", "BridgeServer", "BridgeProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Baseline figures of the card stack on the test bed (BENCHMARKS.md).
        .executableTarget(
            name: "cps-bench",
            dependencies: [
                "PCSC", "SmartCard", "PKCS11", "CardTestBed",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/cps-bench",
            swiftSettings: swiftSettings
        ),
        // The daemon's memory reference: bare Hummingbird + WebSocket with OpenSC loaded.
        .executableTarget(
            name: "bare-server",
            dependencies: [
                "PKCS11",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ],
            path: "Benchmarks/bare-server",
            swiftSettings: swiftSettings
        ),
        // Starts a private pcscd, vpcd readers and simulated cards for the tests (TESTBED.md).
        .target(name: "CardTestBed", dependencies: ["PCSC", "ChildProcesses"], path: "Tests/CardTestBed", swiftSettings: swiftSettings),
        // Child processes tied to their parent (the test bed and `cps-bridge demo` use it).
        .target(name: "ChildProcesses", swiftSettings: swiftSettings),
        .testTarget(name: "SmartCardTests", dependencies: ["SmartCard"], swiftSettings: swiftSettings),
        .testTarget(
            name: "BridgeProtocolTests",
            dependencies: [
                "BridgeProtocol",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CPSIdentityTests",
            dependencies: [
                "CPSIdentity",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CPSSimulatorTests",
            dependencies: [
                "CPSSimulator", "SmartCard",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CPSCardTests",
            dependencies: [
                "CPSCard", "CPSIdentity", "PCSC", "PKCS11", "SmartCard", "CardTestBed",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PCSCTests",
            dependencies: ["PCSC", "SmartCard", "CardTestBed"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PKCS11Tests",
            dependencies: [
                "PKCS11", "SmartCard", "CardTestBed",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
