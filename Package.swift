// swift-tools-version: 6.1
import PackageDescription

// The simulation library (and the tests' shared helpers) is optimized in every build, debug included: the tests run
// whole simulations, several times slower unoptimized. The store, sweeps, report and CLI spend their time in it, so
// they, the dependencies and the test files build faster without optimization and test no slower.
//
// Every target of gracesim warns of an expression that takes the compiler over 1.5 s to type-check, so that a slow one
// is noticed: one such literal once added 47 s to every clean build. The slowest today take under 0.4 s.
let typeCheckGuard: [SwiftSetting] = [.unsafeFlags(["-Xfrontend", "-warn-long-expression-type-checking=1500"])]
let optimized: [SwiftSetting] = [.unsafeFlags(["-O"])] + typeCheckGuard

let package = Package(
    name: "gracesim",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "GraceSim", targets: ["GraceSim"]),
        .executable(name: "gracesim", targets: ["GraceSimCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // The simulation library: no SQLite, no CLI; reads its inputs (YAML, CSV, JSONL) and nothing else.
        .target(
            name: "GraceSim",
            dependencies: [
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: optimized,
            plugins: ["BundleDataFiles"]
        ),
        // Builds the presets and workload files into GraceSim as string literals (BundledDataFiles), so that a
        // copy of the gracesim binary alone runs experiments kept in any folder.
        .plugin(name: "BundleDataFiles", capability: .buildTool(), dependencies: ["DataFileBundler"]),
        .executableTarget(name: "DataFileBundler", swiftSettings: typeCheckGuard),
        // Results in SQLite (GRDB): schema, migrations, the result store, comparisons, claims shared by sweep processes.
        .target(
            name: "GraceSimStore",
            dependencies: [
                "GraceSim",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: typeCheckGuard
        ),
        // Sweeps (sweep files, the lazy grid, shards, the parallel runner that simulates each point) and the capacity
        // search, over the results database.
        .target(
            name: "GraceSimSweeps",
            dependencies: [
                "GraceSim",
                "GraceSimStore",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: typeCheckGuard
        ),
        // Figures (SVG, drawn by gracesim itself) and the HTML report of a results database.
        .target(
            name: "GraceSimReport",
            dependencies: [
                "GraceSimStore",
                "GraceSimSweeps",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: typeCheckGuard
        ),
        // The `gracesim` command-line tool.
        .executableTarget(
            name: "GraceSimCLI",
            dependencies: [
                "GraceSim",
                "GraceSimStore",
                "GraceSimSweeps",
                "GraceSimReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: typeCheckGuard
        ),
        // What every test target shares: the repository root, scratch folders, experiment builders, golden JSON,
        // and the runner of the built `gracesim` command.
        .target(
            name: "GraceSimTestSupport",
            dependencies: ["GraceSim"],
            path: "Tests/GraceSimTestSupport",
            swiftSettings: optimized
        ),
        .testTarget(
            name: "GraceSimTests",
            dependencies: [
                "GraceSim",
                "GraceSimTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            // Golden experiment files and reports, read from disk by GoldenReportTests.
            exclude: ["Golden"],
            swiftSettings: typeCheckGuard
        ),
        // Small sweeps and stored runs shared by the store's and the sweeps' tests.
        .target(
            name: "GraceSimStoreTestSupport",
            dependencies: ["GraceSimStore", "GraceSimSweeps", "GraceSimTestSupport"],
            path: "Tests/GraceSimStoreTestSupport",
            swiftSettings: typeCheckGuard
        ),
        .testTarget(
            name: "GraceSimStoreTests",
            dependencies: ["GraceSimStore", "GraceSimSweeps", "GraceSimTestSupport", "GraceSimStoreTestSupport"],
            swiftSettings: typeCheckGuard
        ),
        .testTarget(
            name: "GraceSimSweepsTests",
            dependencies: ["GraceSimSweeps", "GraceSimStore", "GraceSimTestSupport", "GraceSimStoreTestSupport"],
            swiftSettings: typeCheckGuard
        ),
        .testTarget(
            name: "GraceSimReportTests",
            dependencies: ["GraceSimReport", "GraceSimStore", "GraceSimSweeps", "GraceSimTestSupport"],
            swiftSettings: typeCheckGuard
        ),
        .testTarget(
            name: "GraceSimCLITests",
            dependencies: ["GraceSimCLI", "GraceSimStore", "GraceSimSweeps", "GraceSimReport", "GraceSimTestSupport"],
            swiftSettings: typeCheckGuard
        ),
    ]
)
