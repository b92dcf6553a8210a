import CPSSimulator
import Foundation
import SmartCard
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The vpcd framing and the control commands, against a fake vpcd (no pcscd needed).
@Suite(.serialized) struct VPCDLinkTests {
    /// A one-connection TCP server on 127.0.0.1 playing vpcd's part.
    final class FakeVPCD {
        let listener: Int32
        let port: UInt16
        var connection: Int32 = -1

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                    bind(fd, pointer, length) == 0 && listen(fd, 1) == 0
                        && getsockname(fd, pointer, &length) == 0
                }
            }
            guard bound else { close(fd); throw POSIXError(.EADDRINUSE) }
            listener = fd
            port = UInt16(bigEndian: address.sin_port)
        }

        deinit {
            if connection >= 0 { close(connection) }
            close(listener)
        }

        func acceptCard() { connection = accept(listener, nil, nil) }

        /// Sends one frame; returns the reply frame's payload (`nil` when the card went away).
        func exchange(_ payload: [UInt8], expectReply: Bool = true) -> [UInt8]? {
            let frame = [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
            _ = frame.withUnsafeBytes { write(connection, $0.baseAddress, frame.count) }
            guard expectReply else { return [] }
            guard let header = readExactly(2) else { return nil }
            return readExactly(Int(header[0]) << 8 | Int(header[1]))
        }

        func readExactly(_ count: Int) -> [UInt8]? {
            var buffer = [UInt8](repeating: 0, count: count)
            var got = 0
            while got < count {
                let n = buffer.withUnsafeMutableBytes { read(connection, $0.baseAddress! + got, count - got) }
                guard n > 0 else { return nil }
                got += n
            }
            return buffer
        }
    }

    @Test func framingControlsAndRemoveAfterVerify() throws {
        let vpcd = try FakeVPCD()
        let card = try Fixture.card()
        let link = VPCDLink(card: card, port: vpcd.port) { _ in }
        defer { link.stop() }
        link.start()
        vpcd.acceptCard()

        #expect(vpcd.exchange([0x04]) == CardProfile.cps3Contact.atr)
        #expect(vpcd.exchange([0x00], expectReply: false) == [])
        #expect(vpcd.exchange([0x04]) == CardProfile.cps3Contact.atr, "ATR also while powered off")
        #expect(vpcd.exchange([0x01], expectReply: false) == [])
        #expect(vpcd.exchange([0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00]) == [0x90, 0x00])
        #expect(vpcd.exchange([0x00, 0x20, 0x00, 0x01]) == [0x63, 0xC3])

        #expect(ControlCommand.answer("remove-after-verify", link: link) == "ok")
        #expect(ControlCommand.answer("status", link: link).contains("removeAfterVerify=true"))
        #expect(vpcd.exchange(CommandAPDU.verify(reference: 0x01, pin: rightPIN).bytes) == [0x90, 0x00])
        #expect(vpcd.exchange([0x00, 0x20, 0x00, 0x01]) == nil, "pulled right after the 90 00")
        #expect(ControlCommand.answer("status", link: link).hasPrefix("inserted=false"))
        #expect(ControlCommand.answer("shake", link: link).hasPrefix("error: "))
    }

    @Test func stallHoldsTheReplyUntilResume() throws {
        let vpcd = try FakeVPCD()
        let link = VPCDLink(card: try Fixture.card(), port: vpcd.port) { _ in }
        defer { link.stop() }
        link.start()
        vpcd.acceptCard()
        #expect(ControlCommand.answer("stall", link: link) == "ok")
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.3)
            _ = ControlCommand.answer("resume", link: link)
        }
        let start = Date()
        #expect(vpcd.exchange([0x00, 0x84, 0x00, 0x00, 0x08])?.suffix(2) == [0x90, 0x00])
        #expect(Date().timeIntervalSince(start) >= 0.25)
    }
}
