import Foundation
import Testing

/// The README's two commands are what a newcomer runs on a fresh machine; CI must run the second one verbatim,
/// so that what CI checks is what the README promises.
@Suite("README commands")
struct ReadmeCommandTests {
    /// The shell commands of the README's "The two commands" section, in order.
    static func commands() throws -> [String] {
        let text = try RepositoryFiles.text("README.md")
        guard let section = text.range(of: "## The two commands") else { return [] }
        var commands: [String] = []
        var inBlock = false
        for line in text[section.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") { break }
            if line.hasPrefix("```") {
                inBlock.toggle()
                continue
            }
            if inBlock { commands.append(String(line)) }
        }
        return commands
    }

    @Test("the test command installs what the tests need, and .ci/run runs exactly it")
    func testCommand() throws {
        let commands = try Self.commands()
        try #require(commands.count == 2)
        let test = commands[1]
        #expect(test.hasPrefix("apt-get update && apt-get install -y "))
        #expect(test.hasSuffix("&& swift test --no-parallel"))
        for package in ["rabbitmq-server", "docker-registry", "skopeo", "apache2-utils", "librabbitmq-dev", "libyaml-dev"] {
            #expect(test.contains(" \(package) "), "the test command installs \(package)")
        }
        let ci = try RepositoryFiles.text(".ci/run")
        #expect(ci.contains("{ \(test); }"), ".ci/run runs the README's test command verbatim")
    }
}
