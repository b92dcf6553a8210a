// Type declarations for cps-bridge.js (protocol version 1, docs/PROTOCOL.md).

/** The daemon's default WebSocket address: `ws://127.0.0.1:24830/v1/ws`. */
export declare const DEFAULT_URL: string;
/** The protocol version this client speaks (1). */
export declare const PROTOCOL_VERSION: 1;

/** The daemon's error codes (PROTOCOL.md, "Errors"). */
export type DaemonErrorCode =
  | 'badRequest' | 'originNotAllowed' | 'hostNotAllowed' | 'noReader' | 'noCard'
  | 'readerRequired' | 'unsupportedCard' | 'cardRemoved' | 'pinIncorrect' | 'pinFinalTry'
  | 'pinBlocked' | 'pagePinNotAllowed' | 'pinEntryUnavailable' | 'busy' | 'timeout'
  | 'cancelled' | 'internal' | 'otherUser' | 'bridgeNotRunning';

/**
 * The client's own codes:
 * - `daemonUnavailable`: nothing answers at the daemon's address (not installed, not started);
 * - `localNetworkAccessDenied`: the browser's Local Network Access permission
 *   (`loopback-network` in Chromium) is denied for this page;
 * - `connectionLost`: the connection dropped while a request was in progress;
 * - `invalidPin`: the PIN given is not 4 to 12 digits (nothing was sent).
 * The client also raises `originNotAllowed` when the daemon is up but refused the page's
 * origin, `timeout` when a call's own timeout runs out and `cancelled` when it is aborted.
 */
export type ClientErrorCode = 'daemonUnavailable' | 'localNetworkAccessDenied' | 'connectionLost' | 'invalidPin';

/** A newer daemon may send codes not listed here: handle them like `internal`. */
export type ErrorCode = DaemonErrorCode | ClientErrorCode | (string & {});

export declare const ERROR_CODES: readonly (DaemonErrorCode | ClientErrorCode)[];
export declare const CLIENT_ERROR_CODES: readonly ClientErrorCode[];

export interface LocalizedMessage { fr: string; en: string }

/** The client's messages for `code` (`triesLeft` 2 or 1 is counted in `pinIncorrect`'s). */
export declare function messagesFor(code: ErrorCode, triesLeft?: number): LocalizedMessage;

export type PermissionStateName = 'granted' | 'denied' | 'prompt';

export declare class CPSBridgeError extends Error {
  constructor(code: ErrorCode, info?: {
    messages?: LocalizedMessage; triesLeft?: number; readers?: string[]; detail?: string;
    localNetworkAccess?: PermissionStateName | null; cause?: unknown;
  });
  readonly name: 'CPSBridgeError';
  /** The only field to branch on. */
  readonly code: ErrorCode;
  /** What to show the user, in French and English (the daemon's words when it sent some). */
  readonly messages: LocalizedMessage;
  /** With `pinIncorrect`, when the card tells it. */
  readonly triesLeft: number | null;
  /** With `readerRequired`: the readers holding a card. */
  readonly readers: string[] | null;
  /** With `badRequest`: what is wrong, in English, for the page's developer. */
  readonly detail: string | null;
  /** The Local Network Access permission's state when a connection failed, if the browser tells it. */
  readonly localNetworkAccess: PermissionStateName | null;
  /** `messages.fr` for a language tag starting with `fr`, else `messages.en`. */
  messageIn(lang: string): string;
  /** False for the client's own codes. */
  readonly fromDaemon: boolean;
}

export type CardKind = 'cps3' | 'cps3Contactless' | 'cps4' | 'cps2ter' | 'unknown' | (string & {});

export interface HolderSummary {
  nationalId: string;
  nationalIdType: 'rpps' | 'adeli' | 'finess' | 'siren' | 'siret' | 'rppsStructure' | 'unknown' | (string & {});
  rpps: string | null;
  familyName: string | null;
  givenName: string | null;
  profession: string | null;
  organization: string | null;
}

export interface PINInfo {
  state: 'ok' | 'finalTry' | 'blocked' | 'unknown' | (string & {});
  triesLeft: number | null;
  maxTries: number | null;
}

export interface CardInfo {
  kind: CardKind;
  /** Null in events (kind only) until the next status. */
  pin: PINInfo | null;
  holder: HolderSummary | null;
}

export interface ReaderInfo { name: string; card: CardInfo | null }

/** Web eID authentication token format 1.0: pass it to the federator unchanged. */
export interface AuthenticationToken {
  format: string;
  unverifiedCertificate: string;
  algorithm: string;
  signature: string;
  appVersion: string;
}

export type CardState = 'no-reader' | 'no-card' | 'card' | 'unsupported';

/** `card` when at least one inserted card can log in; `unsupported` when cards are in but none can. */
export declare function cardState(readers: ReaderInfo[]): CardState;

export type ConnectionState = 'connecting' | 'open' | 'unavailable' | 'closed';

export interface ReaderEventDetail {
  event: 'readerAdded' | 'readerRemoved' | 'cardInserted' | 'cardRemoved';
  reader: string;
  card: CardInfo | null;
}

export interface CPSBridgeEventMap {
  connectionchange: { state: ConnectionState; error: CPSBridgeError | null };
  readerschange: { readers: ReaderInfo[]; cardState: CardState };
  readerevent: ReaderEventDetail;
  /** An error the daemon sent without a request id (a message it could not read). */
  protocolerror: CPSBridgeError;
}

export interface CPSBridgeOptions {
  /** Default `DEFAULT_URL`. */
  url?: string;
  /** Connect in the constructor (default true). */
  autoConnect?: boolean;
  /** Backoff between reconnections, ms: from 250 (default) doubling up to 10000 (default). */
  minReconnectDelay?: number;
  maxReconnectDelay?: number;
  /** Default timeout of `authenticate`, ms (180000). */
  authenticateTimeout?: number;
  /** Default timeout of `status` and `getCertificate`, ms (30000). */
  requestTimeout?: number;
  WebSocket?: typeof WebSocket;
}

export interface RequestOptions {
  /** Aborting sends `cancel` to the daemon and rejects with `cancelled`. */
  signal?: AbortSignal;
  /** ms; when it runs out, `cancel` is sent and the call rejects with `timeout`. */
  timeout?: number;
}

export interface AuthenticateOptions extends RequestOptions {
  /** 4 to 12 digits typed into the page; only origins the daemon allows may send one. */
  pin?: string;
  /** Needed only when several cards are inserted (`readerRequired`). */
  reader?: string;
  /** The user agreed to spend the last PIN try (after `pinFinalTry`). */
  confirmFinalTry?: boolean;
}

export declare class CPSBridge extends EventTarget {
  constructor(options?: CPSBridgeOptions);
  readonly url: string;
  readonly state: ConnectionState;
  /** Why the last connection attempt failed. */
  readonly error: CPSBridgeError | null;
  /** The readers as last reported (a copy). */
  readonly readers: ReaderInfo[];
  /** `cardState(readers)` while connected, else null. */
  readonly cardState: CardState | null;
  /** Resolves once connected (the first status arrived); rejects with the attempt's error. */
  connect(): Promise<void>;
  /** Closes for good until `connect()`; calls in progress reject with `cancelled`. */
  close(): void;
  on<K extends keyof CPSBridgeEventMap>(type: K, handler: (detail: CPSBridgeEventMap[K], event: CustomEvent<CPSBridgeEventMap[K]>) => void): () => void;
  authenticate(nonce: string, options?: AuthenticateOptions): Promise<{ token: AuthenticationToken; holder: HolderSummary | null }>;
  getCertificate(reader?: string | null, options?: RequestOptions): Promise<{ certificate: string; holder: HolderSummary | null }>;
  status(options?: RequestOptions): Promise<ReaderInfo[]>;
}
