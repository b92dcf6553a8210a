import BridgeProtocol
import CardTestBed
import CPSAuthVerifier
import Foundation
import Testing

/// The federator's verifier on the real chain: a login over HTTP through the daemon, the
/// simulated card (pcscd, vpcd, OpenSC), then `CPSAuthVerifier` with the card's test PKI.
@Suite(.enabled(if: TestEnvironment.runOpenSCTests, "needs pcscd, vpcd and OpenSC (make deps)"), .timeLimit(.minutes(2)))
struct VerifierChainTests {
    @Test("a token produced by the daemon from the simulated card is accepted, and its claims match the holder")
    func daemonTokenVerifies() async throws {
        try await CardBed.shared().withReaders { readers in
            let card = try SimulatedCard(reader: readers[0])
            defer { card.stop() }
            let verifier = try SimulatedCardVerifier.make(card)
            let nonce = try await verifier.issueNonce()
            try await ServerTests.withDaemon { port in
                let reply = try await ServerTests.http(port, "POST", "/v1/authenticate",
                                                       headers: ["Origin": ServerTests.page, "Content-Type": "application/json"],
                                                       body: "{\"nonce\":\"\(nonce)\",\"pin\":\"1234\"}")
                #expect(reply.status == 200, "\(reply.json)")
                let token = try JSONSerialization.data(withJSONObject: try #require(reply.json["token"]))

                let login = try await verifier.verify(tokenJSON: token, origin: ServerTests.page, nonce: nonce)
                #expect(login.claims.subjectNameID == "899700012345")
                #expect(login.claims.nationalIDType == "rpps")
                #expect(login.claims.rpps == "99700012345")
                #expect(login.claims.familyName == "TEST-CPS")
                #expect(login.claims.givenName == "CAMILLE")
                #expect(login.claims.profession == "Médecin")
                #expect(login.chain.count == 3)
                #expect(login.revocationNotCheckedFor.isEmpty, "both test CAs published a CRL: every status was established")
                #expect(login.algorithm == "RS256")
                #expect(login.appVersion.hasPrefix(AuthenticationToken.releasesURL))

                // The nonce is spent: the same token again is a replay.
                await #expect(throws: TokenVerificationError.nonceReplayed) {
                    _ = try await verifier.verify(tokenJSON: token, origin: ServerTests.page, nonce: nonce)
                }
                // And a fresh nonce with this token (signed over another one) does not verify.
                let other = try await verifier.issueNonce()
                await #expect(throws: TokenVerificationError.invalidSignature) {
                    _ = try await verifier.verify(tokenJSON: token, origin: ServerTests.page, nonce: other)
                }
            }
        }
    }
}
