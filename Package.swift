// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "schemajob",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "schemajob", targets: ["schemajob"]),
        .library(name: "SchemaJobKit", targets: ["SchemaJobKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // Writes a Swift source holding every file under templates/, so the
        // binary carries its own copy (see Plugins/EmbedTemplates).
        .executableTarget(name: "TemplateEmbedder", path: "Sources/TemplateEmbedder"),
        .plugin(
            name: "EmbedTemplates",
            capability: .buildTool(),
            dependencies: ["TemplateEmbedder"]
        ),
        // The SQL syntax layer: tokens, statements, views over them. Standard library only
        // (no Foundation), so the lexer fuzzer builds it alone.
        .target(name: "SQLSyntax"),
        .target(
            name: "SchemaJobKit",
            dependencies: [
                "SQLSyntax",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            plugins: ["EmbedTemplates"]
        ),
        .executableTarget(
            name: "schemajob",
            dependencies: [
                "SchemaJobKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "SchemaJobKitTests",
            // The executable is a dependency so `swift test` builds it: tests run it end to end.
            // SQLSyntaxTests lends its seeded generator and lexer fragments to the property tests.
            dependencies: ["SchemaJobKit", "SQLSyntax", "SQLSyntaxTests", "schemajob"],
            exclude: ["Fixtures", "Golden"]
        ),
        // The syntax layer's own tests: they need nothing but SQLSyntax.
        .testTarget(name: "SQLSyntaxTests", dependencies: ["SQLSyntax"]),
    ]
)
