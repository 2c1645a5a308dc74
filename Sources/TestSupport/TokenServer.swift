import Foundation

/// A tiny Docker-style token endpoint (Python `http.server`, tokens signed RS256 by `openssl`), so the real
/// registry can run with `auth.token`: it checks basic credentials, then issues a JWT granting the
/// requested scope, signed by a key whose self-signed certificate is the registry's `rootcertbundle`.
///
/// `@unchecked Sendable`: the `Process` is started in `start` and afterwards only stopped.
public final class TokenServer: @unchecked Sendable {
    /// The `service` the registry and the tokens name.
    public static let service = "ms2m-test-registry"
    /// The tokens' issuer.
    public static let issuer = "ms2m-test-issuer"

    /// The temporary directory holding the signing key, certificate, script and log.
    public let directory: String
    public let port: Int
    private let process: Process

    /// The token endpoint URL (the registry's `auth.token.realm`).
    public var realm: String { "http://127.0.0.1:\(port)/token" }
    /// The certificate that verifies the tokens (the registry's `rootcertbundle`).
    public var certificatePath: String { directory + "/token.crt" }

    /// Tokens issued so far.
    public var issued: Int { Int((try? String(contentsOfFile: directory + "/issued", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0 }

    private init(directory: String, port: Int, process: Process) {
        self.directory = directory
        self.port = port
        self.process = process
    }

    /// Starts a server that accepts `user`/`password` and issues tokens valid for `lifetime` seconds.
    public static func start(user: String, password: String, lifetime: Int = 300) async throws -> TokenServer {
        let python = try Tools.require("python3", package: "python3")
        let openssl = try Tools.require("openssl", package: "openssl")
        let directory = try Tools.temporaryDirectory("ms2m-token")
        try await ProcessRunner.check(openssl, [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory + "/token.key", "-out", directory + "/token.crt",
            "-days", "2", "-subj", "/CN=ms2m-token-signer",
        ])
        try script.write(toFile: directory + "/token.py", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [directory + "/token.py", directory, user, password, issuer, String(lifetime), openssl]
        let log = directory + "/token.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        try handle.close()
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: directory + "/port", encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return TokenServer(directory: directory, port: port, process: process)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSupportError("the token server did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    /// Stops the server and removes its directory.
    public func stop() {
        Tools.stop(process)
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static let script = #"""
        import base64, json, os, signal, subprocess, sys, threading, time
        # The test process may hand down a mask that blocks SIGTERM; unblock it so stop() works.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import urlparse, parse_qs

        directory, user, password, issuer, lifetime, openssl = sys.argv[1:7]
        lifetime = int(lifetime)
        with open(os.path.join(directory, "token.crt")) as f:
            pem = "".join(l.strip() for l in f if "CERTIFICATE" not in l)
        lock = threading.Lock()
        issued = [0]

        def b64(data):
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urlparse(self.path)
                query = parse_qs(url.query)
                expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
                if url.path != "/token" or self.headers.get("Authorization") != expected:
                    self.send_response(401)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"details":"bad credentials"}')
                    return
                access = []
                for scope in " ".join(query.get("scope", [])).split():
                    kind, rest = scope.split(":", 1)
                    name, actions = rest.rsplit(":", 1)
                    access.append({"type": kind, "name": name, "actions": actions.split(",")})
                now = int(time.time())
                header = {"typ": "JWT", "alg": "RS256", "x5c": [pem]}
                claims = {"iss": issuer, "sub": user, "aud": query.get("service", [""])[0], "exp": now + lifetime,
                          "nbf": now - 30, "iat": now, "jti": os.urandom(8).hex(), "access": access}
                signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
                signature = subprocess.run([openssl, "dgst", "-sha256", "-sign", os.path.join(directory, "token.key")],
                                           input=signing_input.encode(), capture_output=True, check=True).stdout
                token = signing_input + "." + b64(signature)
                with lock:
                    issued[0] += 1
                    with open(os.path.join(directory, "issued"), "w") as f:
                        f.write(str(issued[0]))
                body = json.dumps({"token": token, "access_token": token, "expires_in": lifetime}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        with open(os.path.join(directory, "port.tmp"), "w") as f:
            f.write(str(server.server_address[1]))
        os.rename(os.path.join(directory, "port.tmp"), os.path.join(directory, "port"))
        server.serve_forever()
        """#
}
