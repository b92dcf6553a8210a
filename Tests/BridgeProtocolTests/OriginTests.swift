import BridgeProtocol
import Testing

@Suite("Origins")
struct OriginTests {
    static let canonical: [(String, String)] = [
        ("https://auth.esw.esante.gouv.fr", "https://auth.esw.esante.gouv.fr"),
        ("HTTPS://Auth.ESW.esante.gouv.FR", "https://auth.esw.esante.gouv.fr"),
        ("https://auth.esw.esante.gouv.fr:443", "https://auth.esw.esante.gouv.fr"),
        ("https://auth.esw.esante.gouv.fr:8443", "https://auth.esw.esante.gouv.fr:8443"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("http://127.0.0.1:80", "http://127.0.0.1"),
        ("http://127.0.0.1:443", "http://127.0.0.1:443"),
        ("https://[::1]:8443", "https://[::1]:8443"),
        ("https://[2001:DB8::1]", "https://[2001:db8::1]"),
        ("https://xn--sant-dpa.fr", "https://xn--sant-dpa.fr"),
    ]

    @Test("accepted and canonicalised", arguments: canonical)
    func accepted(text: String, serialization: String) throws {
        #expect(try Origin(text).serialization == serialization)
    }

    @Test("http and https are different origins; only https is secure")
    func schemes() throws {
        let secure = try Origin("https://auth.esw.esante.gouv.fr")
        let insecure = try Origin("http://auth.esw.esante.gouv.fr")
        #expect(secure != insecure)
        #expect(secure.isSecure && !insecure.isSecure)
        #expect(secure.port == nil && secure.host == "auth.esw.esante.gouv.fr")
    }

    static let refusedOrigins: [(String, OriginError)] = [
        ("", .empty),
        ("null", .opaque),
        ("https://auth.esw.esante.gouv.fr/", .trailingSlash),
        ("https://auth.esw.esante.gouv.fr/login", .pathQueryOrFragment),
        ("https://auth.esw.esante.gouv.fr?x=1", .pathQueryOrFragment),
        ("https://auth.esw.esante.gouv.fr#top", .pathQueryOrFragment),
        ("https://user:pass@auth.esw.esante.gouv.fr", .userinfo),
        ("https://user@auth.esw.esante.gouv.fr", .userinfo),
        ("https://*.esante.gouv.fr", .wildcard),
        ("*", .wildcard),
        ("auth.esw.esante.gouv.fr", .missingScheme),
        ("//auth.esw.esante.gouv.fr", .missingScheme),
        ("ftp://auth.esw.esante.gouv.fr", .unsupportedScheme),
        ("file://", .unsupportedScheme),
        ("chrome-extension://abcdefghijklmnop", .unsupportedScheme),
        ("https://", .emptyHost),
        ("https://:8443", .emptyHost),
        ("https://auth.esw.esante.gouv.fr.", .invalidHost),
        ("https://auth..esante.gouv.fr", .invalidHost),
        ("https://-auth.esante.gouv.fr", .invalidHost),
        ("https://auth_esw.esante.gouv.fr", .invalidHost),
        ("https://[::1", .invalidHost),
        ("https://[zz::1]", .invalidHost),
        ("https://a:1:2", .invalidHost),
        ("https://auth.esw.esante.gouv.fr:0", .invalidPort),
        ("https://auth.esw.esante.gouv.fr:65536", .invalidPort),
        ("https://auth.esw.esante.gouv.fr:", .invalidPort),
        ("https://auth.esw.esante.gouv.fr:+443", .invalidPort),
        ("https://auth.esw.esante.gouv.fr :443", .invalidCharacter),
        (" https://auth.esw.esante.gouv.fr", .invalidCharacter),
        ("https://santé.fr", .invalidCharacter),
        ("https://" + String(repeating: "a", count: 300), .tooLong),
    ]

    @Test("refused", arguments: refusedOrigins)
    func refused(text: String, error: OriginError) {
        #expect(throws: error) { try Origin(text) }
    }
}
