// `InheritedSocket` lives in SocketActivation (the dispatcher takes systemd's sockets too);
// users of BridgeServer keep seeing it here.
@_exported import SocketActivation
