import CardTestBed
import Foundation

/// Requests made by a process of a test account (python3 run through `setpriv`): what a browser
/// of that account would send to the shared port.
enum AccountClient {
    /// One HTTP/1.1 request and the whole answer, or `closed` when the connection ended
    /// without one. `origin` "-" sends none.
    static let request = """
    import socket, sys
    host, port, origin, path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    sock = socket.create_connection((host, port), timeout=15)
    name = "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)
    head = "GET %s HTTP/1.1\\r\\nHost: %s\\r\\nConnection: close\\r\\n" % (path, name)
    if origin != "-":
        head += "Origin: %s\\r\\n" % origin
    sock.sendall((head + "\\r\\n").encode())
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    sys.stdout.write(data.decode("utf-8", "replace") if data else "closed")
    """

    /// Binds `host`:`port` (with SO_REUSEADDR and SO_REUSEPORT, the most an account can try):
    /// prints `bound` or `errno N`.
    static let bind = """
    import socket, sys
    host, port = sys.argv[1], int(sys.argv[2])
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
        sock.listen(1)
        print("bound")
    except OSError as error:
        print("errno", error.errno)
    """

    /// Sends half a request head, says `sent`, then waits: `closed` when the connection ends
    /// without an answer, else the answer's first line.
    static let hold = """
    import socket, sys
    port = int(sys.argv[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    sock.sendall(b"GET /v1/status HTTP/1.1\\r\\nHost: 127.0.0.1:%d\\r\\n" % port)
    print("sent", flush=True)
    try:
        data = sock.recv(65536)
    except ConnectionResetError:
        data = b""
    print("closed" if not data else "answered " + data.decode("utf-8", "replace").split("\\r\\n")[0], flush=True)
    """

    /// An HTTP answer: status, headers (names lowercased), body.
    struct Answer: CustomStringConvertible {
        let status: Int
        let headers: [String: String]
        let body: String
        let description: String

        init(_ text: String) {
            description = text
            let parts = text.components(separatedBy: "\r\n\r\n")
            let lines = parts[0].components(separatedBy: "\r\n")
            status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            self.headers = headers
            body = parts.dropFirst().joined(separator: "\r\n\r\n")
        }

        /// The protocol error's code in the body.
        var errorCode: String? {
            guard let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
                  let error = json["error"] as? [String: Any] else { return nil }
            return error["code"] as? String
        }
    }

    /// `GET path` from `account` to `host`:`port` with `origin`.
    static func get(as account: String, host: String = "127.0.0.1", port: Int, origin: String, path: String = "/v1/status") throws -> Answer {
        let (status, output) = try UnixAccounts.run(as: account, ["/usr/bin/python3", "-c", request, host, String(port), origin, path])
        guard status == 0 else { throw TestBedError("python3 as \(account) failed: \(output)") }
        return Answer(output)
    }

    /// What `bind` printed as `account`.
    static func bind(as account: String, host: String, port: Int) throws -> String {
        try UnixAccounts.run(as: account, ["/usr/bin/python3", "-c", bind, host, String(port)]).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
