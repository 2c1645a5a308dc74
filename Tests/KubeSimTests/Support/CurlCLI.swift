import Foundation
import TestSupport

/// Runs the curl CLI and returns (HTTP status, body); status 0 when no HTTP exchange happened.
func curlCLI(_ arguments: [String]) async throws -> (status: Int, body: String) {
    let result = try await ProcessRunner.run("/usr/bin/curl", ["-s", "-w", "\n%{http_code}"] + arguments)
    let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
    let status = Int(lines.last ?? "") ?? 0
    return (status, lines.dropLast().joined(separator: "\n"))
}
