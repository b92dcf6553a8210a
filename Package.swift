// swift-tools-version:6.1
import PackageDescription

/// Every target gets the same settings: existential `any` spelled out, and members visible
/// only through the modules a file imports itself.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// The products several targets use, named once.
let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let cryptoExtras: Target.Dependency = .product(name: "_CryptoExtras", package: "swift-crypto")
let x509: Target.Dependency = .product(name: "X509", package: "swift-certificates")
let asn1: Target.Dependency = .product(name: "SwiftASN1", package: "swift-asn1")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let httpTypes: Target.Dependency = .product(name: "HTTPTypes", package: "swift-http-types")
let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
/// What both executables' commands are made of: arguments, services, signals, logs.
let commandLine: [Target.Dependency] = [
    argumentParser, serviceLifecycle, .product(name: "UnixSignals", package: "swift-service-lifecycle"), logging,
]
/// Certificates and RSA: the simulator, the verifier and most test targets.
let certificateStack: [Target.Dependency] = [crypto, cryptoExtras, x509, asn1]

let package = Package(
    name: "cps-bridge",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cps-bridge", targets: ["cps-bridge"]),
        .executable(name: "cps-bridge-demo", targets: ["cps-bridge-demo"]),
        .executable(name: "cps-card-sim", targets: ["cps-card-sim"]),
        .library(name: "SmartCard", targets: ["SmartCard"]),
        .library(name: "PCSC", targets: ["PCSC"]),
        .library(name: "PKCS11", targets: ["PKCS11"]),
        .library(name: "CPSSimulator", targets: ["CPSSimulator"]),
        .library(name: "CPSIdentity", targets: ["CPSIdentity"]),
        .library(name: "CPSCard", targets: ["CPSCard"]),
        .library(name: "BridgeProtocol", targets: ["BridgeProtocol"]),
        .library(name: "CPSAuthVerifier", targets: ["CPSAuthVerifier"]),
        .library(name: "CPSRevocationOCSP", targets: ["CPSRevocationOCSP"]),
        .library(name: "CPSNonceStorePostgres", targets: ["CPSNonceStorePostgres"]),
        // The simulated PIN-pad reader pcscd loads for the tests (docs/TESTING.md).
        .library(name: "cps-pinpad-ifd", type: .dynamic, targets: ["CPSPinPadReader"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // No default traits: they bring full Foundation (and ICU's data) and swift-configuration,
        // which the daemon does not use (BENCHMARKS.md, memory).
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
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
        // prctl(2), variadic in C, for the daemon's process hardening; a declaration glibc hides
        // without _GNU_SOURCE, for SpawnedProcess.
        .systemLibrary(name: "CProcessControl"),
        .systemLibrary(name: "CTimerFD"),
        // Threads of our own: for blocking calls (DedicatedThread and its executor) and for timers
        // that can be taken back (DeadlineTimer). No dispatch, no wake-up while idle.
        .target(name: "OwnThreads", dependencies: ["CTimerFD"], swiftSettings: swiftSettings),
        .target(name: "PCSC", dependencies: ["CPCSCLite", "OwnThreads"], swiftSettings: swiftSettings),
        // A pcscd IFD handler (C): a simulated PIN-pad reader for the test bed, loaded by pcscd
        // from reader.conf, never by Swift code. pcsc-lite's driver headers live in /usr/include/PCSC.
        .target(
            name: "CPSPinPadReader",
            cSettings: [.unsafeFlags(["-I/usr/include/PCSC", "-Wall", "-Wextra"])],
            // The linker driver adds the Swift runtime; pcscd need not load it for a C handler.
            linkerSettings: [.unsafeFlags(["-Xlinker", "--as-needed"])]
        ),
        .target(name: "PKCS11", dependencies: ["CPKCS11", "SmartCard"], swiftSettings: swiftSettings),
        .target(name: "SmartCard", swiftSettings: swiftSettings),
        // Who is at the other end of a loopback connection (sock_diag, /proc/net/tcp): the
        // daemon serves its own account only.
        .target(name: "PeerCredentials", swiftSettings: swiftSettings),
        // The sockets systemd passes (LISTEN_FDS), checked: the daemon's and the dispatcher's.
        .target(name: "SocketActivation", swiftSettings: swiftSettings),
        // `cps-bridge dispatch` on a PC shared by several accounts: holds the public port and
        // hands each connection to its account's daemon. No card access: no PC/SC, no PKCS#11.
        .target(
            name: "BridgeDispatch",
            dependencies: ["PeerCredentials", "BridgeProtocol", "SocketActivation", logging],
            swiftSettings: swiftSettings
        ),
        // The wire protocol: a leaf, Foundation only, shared by the server and the verifier.
        .target(name: "BridgeProtocol", swiftSettings: swiftSettings),
        .target(
            name: "CPSIdentity",
            dependencies: [
                "SmartCard",
                x509,
                asn1,
            ],
            swiftSettings: swiftSettings
        ),
        // The federator's side: nonces, token verification, identity claims. No PC/SC, no PKCS#11.
        .target(
            name: "CPSAuthVerifier",
            dependencies: [
                "BridgeProtocol",
                "CPSIdentity",
            ] + certificateStack,
            swiftSettings: swiftSettings
        ),
        // The verifier's network side: OCSP (swift-certificates' OCSPVerifierPolicy) and CRL
        // fetching over HTTP with AsyncHTTPClient. CPSAuthVerifier itself does no networking.
        .target(
            name: "CPSRevocationOCSP",
            dependencies: [
                "CPSAuthVerifier",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                nioCore,
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ] + certificateStack,
            swiftSettings: swiftSettings
        ),
        // The verifier's nonce store for a federator cluster, on PostgreSQL (postgres-nio): one
        // table, consumed by one atomic statement (docs/VERIFIER.md). CPSAuthVerifier itself
        // does not depend on it: a one-node federator keeps the in-memory store.
        .target(
            name: "CPSNonceStorePostgres",
            dependencies: [
                "CPSAuthVerifier",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                logging,
            ],
            swiftSettings: swiftSettings
        ),
        // PIN entry: the reader's PIN pad (PC/SC part 10), the native prompt (pinentry over
        // Assuan), and the PIN itself in memory of its own. No card logic.
        .target(name: "PINEntry", dependencies: ["PCSC", "SmartCard", "ChildProcesses"], swiftSettings: swiftSettings),
        .target(
            name: "CPSCard",
            dependencies: [
                "PCSC", "PKCS11", "SmartCard", "CPSIdentity", "PINEntry", "OwnThreads",
                crypto,
                x509,
                asn1,
                logging,
                serviceLifecycle,
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CPSSimulator",
            dependencies: [
                "SmartCard",
            ] + certificateStack,
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "cps-card-sim",
            dependencies: [
                "CPSSimulator",
                argumentParser,
            ],
            swiftSettings: swiftSettings
        ),
        // The process's default executor on NIO's event loops, timers included: no libdispatch
        // thread pool, so no wake-up a second when the daemon is idle.
        .target(
            name: "EventLoopExecutor",
            dependencies: [nioCore, .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        // The local API: its policies (origins, Host, CORS, rates) and the Hummingbird server.
        .target(
            name: "BridgeServer",
            dependencies: [
                "BridgeProtocol", "CPSCard", "PINEntry", "CPSIdentity", "PeerCredentials", "SocketActivation", "BridgeDispatch", "OwnThreads",
                hummingbird,
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                nioCore,
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // ServerQuiescingHelper, for a graceful shutdown on a socket from systemd.
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                httpTypes,
                logging,
                serviceLifecycle,
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BridgeServerTests",
            dependencies: [
                "BridgeServer",
                "BridgeProtocol",
                "CPSCard",
                "CardTestBed",
                "PCSC",
                "CPSAuthVerifier",
                hummingbird,
                httpTypes,
                logging,
                serviceLifecycle,
            ] + certificateStack,
            swiftSettings: swiftSettings
        ),
        // The demo: a private pcscd with the simulated card, and a small federator.
        .target(
            name: "CPSDemo",
            dependencies: [
                "BridgeProtocol", "CPSAuthVerifier", "CPSIdentity", "PCSC", "ChildProcesses", "CPSNonceStorePostgres",
                serviceLifecycle,
                crypto,
                x509,
                hummingbird,
                httpTypes,
                nioCore,
                logging,
            ],
            swiftSettings: swiftSettings
        ),
        // What the commands of both executables share: logging set-up, process hardening,
        // command errors, files beside the executable. No card, no server.
        .target(name: "CommandSupport", dependencies: ["CProcessControl", logging], swiftSettings: swiftSettings),
        // The workstation's executable: the daemon, the dispatcher and the sysadmin's commands.
        // `cps-bridge demo` hands over to cps-bridge-demo, built beside it; the demo's
        // federator and verifier are not linked here.
        .executableTarget(
            name: "cps-bridge",
            dependencies: [
                "CPSCard", "CPSIdentity", "PCSC", "PKCS11", "SmartCard", "BridgeServer", "BridgeProtocol",
                "CommandSupport", "BridgeDispatch", "SocketActivation", "ChildProcesses", "EventLoopExecutor",
            ] + commandLine,
            swiftSettings: swiftSettings
        ),
        // `make demo`: the simulated card, the daemon and the demo federator in one process.
        .executableTarget(
            name: "cps-bridge-demo",
            dependencies: [
                "CPSCard", "BridgeServer", "BridgeProtocol", "CPSDemo", "CPSAuthVerifier", "CommandSupport",
            ] + commandLine,
            swiftSettings: swiftSettings
        ),
        // Baseline figures of the card stack on the test bed (BENCHMARKS.md).
        .executableTarget(
            name: "cps-bench",
            dependencies: [
                "PCSC", "SmartCard", "PKCS11", "CardTestBed", "ChildProcesses", "CPSAuthVerifier", "VerifierTestPKI", "BridgeProtocol",
                "CPSRevocationOCSP",
                "CPSNonceStorePostgres",
                argumentParser,
                crypto,
                cryptoExtras,
                x509,
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
        // Starts a private pcscd, vpcd readers and simulated cards for the tests (docs/TESTING.md).
        .target(name: "CardTestBed", dependencies: ["PCSC", "ChildProcesses"], path: "Tests/CardTestBed", swiftSettings: swiftSettings),
        // Child processes without Foundation: spawned with pipes (the pinentry, doctor's
        // systemctl), or tied to their parent (the test bed and the demo).
        .target(name: "ChildProcesses", dependencies: ["CProcessControl"], swiftSettings: swiftSettings),
        // Test PKI for the verifier: CAs, holder certificates and their variants, CRLs issued
        // with swift-asn1, signed tokens. Used by CPSAuthVerifierTests and cps-bench verify.
        .target(
            name: "VerifierTestPKI",
            dependencies: [
                "BridgeProtocol",
            ] + certificateStack,
            path: "Tests/VerifierTestPKI",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "SmartCardTests", dependencies: ["SmartCard"], swiftSettings: swiftSettings),
        .testTarget(name: "OwnThreadsTests", dependencies: ["OwnThreads", "PCSC"], swiftSettings: swiftSettings),
        .testTarget(
            name: "EventLoopExecutorTests",
            dependencies: ["EventLoopExecutor", nioCore, .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ChildProcessesTests", dependencies: ["ChildProcesses"], swiftSettings: swiftSettings),
        .testTarget(
            name: "BridgeDispatchTests",
            dependencies: ["BridgeDispatch", "BridgeProtocol", "PeerCredentials", "CardTestBed"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "PeerCredentialsTests", dependencies: ["PeerCredentials", "CardTestBed"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CPSDemoTests",
            dependencies: [
                "CPSDemo", "CPSAuthVerifier", "BridgeProtocol", "VerifierTestPKI", "CPSNonceStorePostgres",
                hummingbird,
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                httpTypes,
                nioCore,
                logging,
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CPSAuthVerifierTests",
            dependencies: [
                "CPSAuthVerifier",
                "ChildProcesses",
                "CPSRevocationOCSP",
                "CPSNonceStorePostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                "VerifierTestPKI",
                "BridgeProtocol",
                "CPSIdentity",
            ] + certificateStack,
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BridgeProtocolTests",
            dependencies: [
                "BridgeProtocol",
            ] + certificateStack,
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CPSIdentityTests",
            dependencies: [
                "CPSIdentity",
                x509,
                asn1,
                crypto,
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CPSSimulatorTests",
            dependencies: [
                "CPSSimulator", "SmartCard",
                crypto,
                cryptoExtras,
                x509,
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CPSCardTests",
            dependencies: [
                "CPSCard",
                "PINEntry",
                "CPSIdentity",
                "PCSC",
                "PKCS11",
                "SmartCard",
                "CardTestBed",
                "OwnThreads",
                logging,
            ] + certificateStack,
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
                "PKCS11",
                "SmartCard",
                "CardTestBed",
            ] + certificateStack,
            swiftSettings: swiftSettings
        ),
    ]
)

// Fuzz targets (Fuzz/, docs/TESTING.md): libFuzzer entry points over the parsers that take
// untrusted bytes. They exist only when CPS_FUZZ is set, so that `swift build` and `make test`
// never see them; `make fuzz` builds them with libFuzzer and AddressSanitizer in .build-fuzz.
if Context.environment["CPS_FUZZ"] != nil {
    func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
        .executableTarget(name: name, dependencies: ["FuzzDriver"] + dependencies, path: "Fuzz/Sources/\(name)",
                          swiftSettings: swiftSettings)
    }
    package.targets += [
        // libFuzzer's driver, called from each target's entry point.
        .target(name: "FuzzDriver", path: "Fuzz/Sources/FuzzDriver",
                swiftSettings: swiftSettings + [.enableExperimentalFeature("Extern")]),
        fuzzTarget("fuzz-wire-message", ["BridgeProtocol"]),
        fuzzTarget("fuzz-apdu", ["SmartCard", "PCSC"]),
        fuzzTarget("fuzz-card-sim", ["CPSSimulator", "SmartCard"]),
        fuzzTarget("fuzz-holder-identity", ["CPSIdentity", x509]),
        fuzzTarget("fuzz-token", ["CPSAuthVerifier", "BridgeProtocol", x509, asn1]),
        fuzzTarget("fuzz-crl", ["CPSAuthVerifier", x509, asn1]),
        // Writes Fuzz/pki and Fuzz/corpus (run once; its output is committed).
        .executableTarget(
            name: "fuzz-seeds",
            dependencies: ["VerifierTestPKI", "CPSSimulator", "BridgeProtocol", "SmartCard"] + certificateStack,
            path: "Fuzz/Sources/fuzz-seeds",
            swiftSettings: swiftSettings
        ),
    ]
}
