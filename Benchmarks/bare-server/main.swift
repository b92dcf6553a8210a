// bare-server: the memory and wake-up reference for `cps-bridge serve` (BENCHMARKS.md).
// Hummingbird + HummingbirdWebSocket on 127.0.0.1 with one GET route and a WebSocket echo,
// and OpenSC loaded through the project's PKCS11 layer and C_Initialize'd, nothing else.
//
//   bare-server PORT [PKCS11-MODULE]
//
// GET /status lists the PKCS#11 slots holding a token (C_GetSlotList, C_GetTokenInfo), so that
// OpenSC binds the card as the daemon's status does; /ws echoes text messages.
import Foundation
import Hummingbird
import HummingbirdWebSocket
import PKCS11

let arguments = CommandLine.arguments
guard arguments.count >= 2, let port = Int(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: bare-server PORT [PKCS11-MODULE]\n".utf8))
    exit(2)
}
let module = try PKCS11Module.load(path: arguments.count >= 3 ? arguments[2] : "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so")

let router = Router()
router.get("/status") { _, _ -> String in
    let labels = try module.slots(tokenPresent: true).map { try $0.tokenInfo().label }
    return labels.joined(separator: "\n") + "\n"
}
let wsRouter = Router(context: BasicWebSocketRequestContext.self)
wsRouter.ws("/ws") { inbound, outbound, _ in
    for try await message in inbound.messages(maxSize: 16 * 1024) {
        if case .text(let text) = message { try await outbound.write(.text(text)) }
    }
}
let app = Application(
    router: router,
    server: .http1WebSocketUpgrade(webSocketRouter: wsRouter),
    configuration: .init(address: .hostname("127.0.0.1", port: port))
)
try await app.runService()
