// cps-bridge.js: the login page's client for the local cps-bridge daemon (protocol version 1,
// see docs/PROTOCOL.md). A plain ES module: no build step, no dependencies.
//
//   import { CPSBridge, CPSBridgeError } from '/cps-bridge.js';
//   const bridge = new CPSBridge();                  // ws://127.0.0.1:24830/v1/ws
//   bridge.addEventListener('readerschange', (e) => show(e.detail.cardState));
//   const { token, holder } = await bridge.authenticate(nonce, { pin });
//
// The PIN passes through this module only as a field of one outgoing message: it is never
// stored, logged or put in an error.

/** The daemon's default WebSocket address. */
export const DEFAULT_URL = 'ws://127.0.0.1:24830/v1/ws';

/** The protocol version this client speaks. */
export const PROTOCOL_VERSION = 1;

/** Card kinds that cannot log in (PROTOCOL.md, `unsupportedCard`); the set of kinds is open. */
const UNSUPPORTED_KINDS = new Set(['cps2ter', 'cps3Contactless', 'unknown']);

/**
 * The messages of every error code: the daemon's (PROTOCOL.md, "Errors"), used when the daemon
 * sent none, and the client's own (connection, browser permission, local checks).
 */
const MESSAGES = {
  // The daemon's codes.
  badRequest: [
    "La page a envoyé une demande invalide au service CPS. Rechargez la page ; si le problème persiste, contactez le support du site.",
    "The page sent an invalid request to the CPS service. Reload the page; if this keeps happening, contact the website's support."],
  originNotAllowed: [
    "Ce site n'est pas autorisé à utiliser votre carte CPS sur ce poste. Contactez votre administrateur informatique.",
    'This website is not allowed to use your CPS card on this computer. Contact your IT administrator.'],
  hostNotAllowed: [
    "Le service CPS de ce poste a refusé la demande (adresse non autorisée). Contactez votre administrateur informatique.",
    "This computer's CPS service refused the request (address not allowed). Contact your IT administrator."],
  noReader: [
    "Aucun lecteur de carte n'est détecté. Branchez votre lecteur, puis réessayez.",
    'No card reader was found. Plug in your reader, then try again.'],
  noCard: [
    "Aucune carte n'est détectée. Insérez votre carte CPS dans le lecteur.",
    'No card was found. Insert your CPS card in the reader.'],
  readerRequired: [
    'Plusieurs cartes sont insérées. Choisissez le lecteur à utiliser, ou retirez les cartes inutiles.',
    'Several cards are inserted. Choose the reader to use, or remove the cards you do not need.'],
  unsupportedCard: [
    'Cette carte ne permet pas de se connecter. Insérez votre carte CPS (CPS3 ou CPS4) dans un lecteur à contact.',
    'This card cannot be used to log in. Insert your CPS card (CPS3 or CPS4) in a contact reader.'],
  cardRemoved: [
    "La carte a été retirée pendant l'opération. Réinsérez-la, puis réessayez.",
    'The card was removed during the operation. Insert it again, then try again.'],
  pinIncorrect: [
    'Code PIN incorrect. Vérifiez-le avant de réessayer : la carte se bloque après plusieurs erreurs.',
    'Wrong PIN. Check it before trying again: the card is blocked after several wrong PINs.'],
  pinFinalTry: [
    "Il ne vous reste qu'un essai (ou leur nombre est inconnu) : un code PIN erroné bloquerait votre carte. Ce dernier essai doit être confirmé dans la fenêtre de votre poste ; aucun code PIN n'a été envoyé à la carte.",
    'Only one try is left (or the count is unknown): a wrong PIN would block your card. This last try must be confirmed in the window on your computer; no PIN was sent to the card.'],
  pinBlocked: [
    'Votre carte CPS est bloquée (trop de codes PIN erronés). Débloquez-la avec votre code de déblocage (PUK) ou contactez l\'assistance CPS.',
    'Your CPS card is blocked (too many wrong PINs). Unblock it with your unblocking code (PUK) or contact CPS support.'],
  pagePinNotAllowed: [
    "Ce site n'est pas autorisé à recueillir votre code PIN. Réessayez : il vous sera demandé sur le lecteur ou dans une fenêtre de votre poste.",
    'This website is not allowed to collect your PIN. Try again: you will be asked for it on the reader or in a window on your computer.'],
  pinEntryUnavailable: [
    'Votre code PIN ne peut pas être saisi sur ce poste (ni clavier sur le lecteur, ni fenêtre de saisie). Contactez votre administrateur informatique.',
    'Your PIN cannot be entered on this computer (no PIN pad on the reader, no PIN window). Contact your IT administrator.'],
  busy: [
    'Votre carte est déjà utilisée par une autre connexion en cours. Terminez-la ou patientez, puis réessayez.',
    'Your card is already in use by another login in progress. Finish it or wait, then try again.'],
  timeout: [
    'Le délai est dépassé (code PIN non saisi ou carte sans réponse). Réessayez.',
    'The operation timed out (PIN not entered, or the card did not answer). Try again.'],
  cancelled: [
    'Opération annulée. Vous pouvez recommencer quand vous le souhaitez.',
    'Operation cancelled. You can start again whenever you like.'],
  internal: [
    "Une erreur inattendue s'est produite dans le service CPS de ce poste. Réessayez ; si elle persiste, contactez votre administrateur informatique.",
    "An unexpected error occurred in this computer's CPS service. Try again; if it keeps happening, contact your IT administrator."],
  otherUser: [
    "Ce service de carte CPS appartient à une autre session de ce poste. Connectez-vous avec votre propre session pour utiliser votre carte.",
    'This CPS card service belongs to another session on this computer. Log in with your own session to use your card.'],
  bridgeNotRunning: [
    "Le service de carte CPS n'est pas démarré pour votre session sur ce poste. Fermez puis rouvrez votre session ; si le problème persiste, contactez votre administrateur informatique.",
    'The CPS card service is not running for your session on this computer. Log out and back in; if this keeps happening, contact your IT administrator.'],
  // The client's own codes.
  daemonUnavailable: [
    "Le service CPS de ce poste ne répond pas. Vérifiez que le logiciel cps-bridge est installé et démarré (ou redémarrez l'ordinateur), puis réessayez.",
    "This computer's CPS service is not answering. Check that cps-bridge is installed and running (or restart the computer), then try again."],
  localNetworkAccessDenied: [
    "Votre navigateur empêche ce site d'accéder au service CPS de votre poste. Cliquez sur l'icône à gauche de l'adresse du site, autorisez l'accès aux appareils du réseau local (« Local network access »), puis rechargez la page.",
    "Your browser blocks this website from reaching the CPS service on your computer. Click the icon to the left of the website's address, allow local network access, then reload the page."],
  connectionLost: [
    "La connexion au service CPS de ce poste a été interrompue pendant l'opération. Réessayez.",
    "The connection to this computer's CPS service was lost during the operation. Try again."],
  invalidPin: [
    'Le code PIN doit comporter de 4 à 12 chiffres.',
    'The PIN must be 4 to 12 digits.'],
};

const TRIES_MESSAGES = {
  2: ['Code PIN incorrect. Il vous reste 2 essais avant le blocage de la carte.',
      'Wrong PIN. 2 tries left before the card is blocked.'],
  1: ["Code PIN incorrect. Il ne vous reste qu'un essai avant le blocage de la carte.",
      'Wrong PIN. 1 try left before the card is blocked.'],
};

/** Every error code a `CPSBridgeError` can carry (an unknown code from a newer daemon passes through too). */
export const ERROR_CODES = Object.freeze(Object.keys(MESSAGES));

/** The codes that come from this client rather than from the daemon. */
export const CLIENT_ERROR_CODES = Object.freeze(['daemonUnavailable', 'localNetworkAccessDenied', 'connectionLost', 'invalidPin']);

/**
 * The messages the client would show for `code`, in French and English.
 * @param {string} code
 * @param {number} [triesLeft] counted in the `pinIncorrect` message when 2 or 1
 * @returns {{fr: string, en: string}}
 */
export function messagesFor(code, triesLeft) {
  const pair = (code === 'pinIncorrect' && TRIES_MESSAGES[triesLeft]) || MESSAGES[code] || MESSAGES.internal;
  return { fr: pair[0], en: pair[1] };
}

/**
 * A failure a page can show: `code` to branch on, `messageIn(lang)` to display.
 * Unknown codes (from a newer daemon) keep their code and are to be handled like `internal`.
 */
export class CPSBridgeError extends Error {
  /**
   * @param {string} code
   * @param {object} [info] `messages` ({fr, en}), `triesLeft`, `readers`, `detail`,
   *   `localNetworkAccess` (the browser permission's state when known), `cause`
   */
  constructor(code, info = {}) {
    const messages = validMessages(info.messages) ?? messagesFor(code, info.triesLeft);
    super(messages.en, info.cause !== undefined ? { cause: info.cause } : undefined);
    this.name = 'CPSBridgeError';
    /** @type {string} */
    this.code = code;
    /** @type {{fr: string, en: string}} */
    this.messages = messages;
    /** @type {number | null} */
    this.triesLeft = Number.isInteger(info.triesLeft) ? info.triesLeft : null;
    /** @type {string[] | null} */
    this.readers = Array.isArray(info.readers) ? info.readers.slice() : null;
    /** @type {string | null} */
    this.detail = typeof info.detail === 'string' ? info.detail : null;
    /** @type {string | null} */
    this.localNetworkAccess = info.localNetworkAccess ?? null;
  }

  /** The message in `lang` ('fr' or 'en'; a tag such as 'fr-FR' works; anything else gives English). */
  messageIn(lang) {
    return String(lang || '').toLowerCase().startsWith('fr') ? this.messages.fr : this.messages.en;
  }

  /** True when the daemon sent this code (false for the client's own codes). */
  get fromDaemon() {
    return !CLIENT_ERROR_CODES.includes(this.code);
  }
}

function validMessages(m) {
  return m && typeof m.fr === 'string' && typeof m.en === 'string' ? { fr: m.fr, en: m.en } : null;
}

/** The error a daemon's `error` message (or HTTP error object) stands for. */
function errorFromPayload(p) {
  const code = typeof p.code === 'string' && p.code ? p.code : 'internal';
  return new CPSBridgeError(code, {
    messages: p.message, triesLeft: p.triesLeft, readers: p.readers, detail: p.detail,
  });
}

/**
 * The workstation's state for a login page, from a readers list:
 * `no-reader`, `no-card`, `card` (at least one card that can log in) or `unsupported`
 * (cards, none of which can log in).
 * @param {Array<{name: string, card: object|null}>} readers
 */
export function cardState(readers) {
  if (!readers || readers.length === 0) return 'no-reader';
  const cards = readers.filter((r) => r.card);
  if (cards.length === 0) return 'no-card';
  return cards.some((r) => !UNSUPPORTED_KINDS.has(r.card.kind)) ? 'card' : 'unsupported';
}

/** The permission names Chromium has used for loopback access, newest first. */
const LNA_PERMISSION_NAMES = ['loopback-network', 'local-network-access'];

/** The browser's Local Network Access permission state for this page, or null when unknown. */
async function localNetworkAccessState() {
  const permissions = globalThis.navigator?.permissions;
  if (!permissions?.query) return null;
  for (const name of LNA_PERMISSION_NAMES) {
    try {
      const status = await permissions.query(/** @type {any} */ ({ name })); // not in the DOM typings yet
      return { name, status };
    } catch {
      // Not a permission name this browser knows: try the next one.
    }
  }
  return null;
}

function statusURLOf(wsURL) {
  const u = new URL(wsURL);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = '/v1/status';
  u.search = '';
  return u.href;
}

const PIN_FORM = /^[0-9]{4,12}$/;

/**
 * A connection to the cps-bridge daemon, kept open and reopened with backoff.
 *
 * Events (`addEventListener`, or `on(type, fn)` which returns an unsubscribe function):
 * - `connectionchange`: `detail = {state, error}`; state `connecting`, `open`, `unavailable`
 *   (error set: `daemonUnavailable`, `localNetworkAccessDenied`, `originNotAllowed`) or `closed`.
 * - `readerschange`: `detail = {readers, cardState}` on the first status, on every event, and
 *   again after each reconnection.
 * - `readerevent`: `detail = {event, reader, card}`, each daemon event as pushed.
 */
export class CPSBridge extends EventTarget {
  /**
   * @param {object} [options]
   * @param {string} [options.url] the daemon's WebSocket URL (default `DEFAULT_URL`)
   * @param {boolean} [options.autoConnect] connect now (default true)
   * @param {number} [options.minReconnectDelay] ms before the first retry (default 250)
   * @param {number} [options.maxReconnectDelay] ms, the backoff's cap (default 10000)
   * @param {number} [options.authenticateTimeout] ms (default 180000); `timeout` per call overrides it
   * @param {number} [options.requestTimeout] ms for `status` and `getCertificate` (default 30000)
   * @param {typeof WebSocket} [options.WebSocket] a WebSocket implementation (tests)
   */
  constructor(options = {}) {
    super();
    this.url = options.url ?? DEFAULT_URL;
    this._statusURL = statusURLOf(this.url);
    this._minDelay = options.minReconnectDelay ?? 250;
    this._maxDelay = options.maxReconnectDelay ?? 10000;
    this._authTimeout = options.authenticateTimeout ?? 180000;
    this._requestTimeout = options.requestTimeout ?? 30000;
    this._WebSocket = options.WebSocket ?? globalThis.WebSocket;
    this._ws = null;
    this._state = 'closed';
    this._error = null;
    this._readers = [];
    this._pending = new Map();
    this._nextId = 1;
    this._delay = this._minDelay;
    this._retryTimer = null;
    this._closed = false;
    this._waiters = [];
    this._permission = null;
    this._watchPermission();
    if (options.autoConnect !== false) this.connect();
  }

  /** `connecting`, `open`, `unavailable` or `closed`. */
  get state() { return this._state; }

  /** Why the last connection attempt failed (a `CPSBridgeError`), or null. */
  get error() { return this._error; }

  /** The readers as last reported (a copy); empty until connected. */
  get readers() { return this._readers.map((r) => ({ ...r })); }

  /** `cardState(readers)`, or null while not connected. */
  get cardState() { return this._state === 'open' ? cardState(this._readers) : null; }

  /** Subscribes `handler(detail, event)` to `type`; returns a function that unsubscribes. */
  on(type, handler) {
    const listener = (e) => handler(e.detail, e);
    this.addEventListener(type, listener);
    return () => this.removeEventListener(type, listener);
  }

  /**
   * Opens the connection now if it is not open or opening (also cutting a backoff short).
   * @returns {Promise<void>} resolved once the daemon's first status has arrived; rejected
   *   with the attempt's `CPSBridgeError` if it fails (retries continue in the background).
   */
  connect() {
    this._closed = false;
    if (this._state === 'open') return Promise.resolve();
    const wait = new Promise((resolve, reject) => this._waiters.push({ resolve, reject }));
    if (!this._ws) {
      clearTimeout(this._retryTimer);
      this._retryTimer = null;
      this._open();
    }
    return wait;
  }

  /** Closes the connection for good (until `connect()`); requests in progress fail with `cancelled`. */
  close() {
    this._closed = true;
    clearTimeout(this._retryTimer);
    this._retryTimer = null;
    const ws = this._ws;
    this._ws = null;
    if (ws) ws.close(1000);
    this._failPending(() => new CPSBridgeError('cancelled'));
    this._settleWaiters(new CPSBridgeError('cancelled'));
    this._setState('closed', null);
  }

  /**
   * Signs `nonce` with the card.
   * @param {string} nonce the federator's challenge, standard base64, passed on unchanged
   * @param {object} [options]
   * @param {string} [options.pin] 4 to 12 digits typed into the page (origins allowed by the daemon only)
   * @param {string} [options.reader] the reader to use when several cards are inserted
   * @param {boolean} [options.confirmFinalTry] the user agreed to spend the last PIN try
   * @param {AbortSignal} [options.signal] aborting sends `cancel` and rejects with `cancelled`
   * @param {number} [options.timeout] ms; when it runs out `cancel` is sent and the call rejects with `timeout`
   * @returns {Promise<{token: object, holder: object|null}>}
   */
  async authenticate(nonce, options = {}) {
    if (typeof nonce !== 'string' || nonce === '') {
      throw new CPSBridgeError('badRequest', { detail: 'nonce must be a non-empty string' });
    }
    const message = { type: 'authenticate', nonce };
    if (options.reader != null) message.reader = options.reader;
    if (options.confirmFinalTry) message.confirmFinalTry = true;
    if (options.pin != null && options.pin !== '') {
      if (typeof options.pin !== 'string' || !PIN_FORM.test(options.pin)) throw new CPSBridgeError('invalidPin');
      message.pin = options.pin;
    }
    const answer = await this._request(message, options.signal, options.timeout ?? this._authTimeout);
    return { token: answer.token, holder: answer.holder ?? null };
  }

  /**
   * The card's authentication certificate (base64 DER) and holder, without a PIN.
   * @param {string} [reader]
   * @param {{signal?: AbortSignal, timeout?: number}} [options]
   * @returns {Promise<{certificate: string, holder: object|null}>}
   */
  async getCertificate(reader, options = {}) {
    const message = { type: 'getCertificate' };
    if (reader != null) message.reader = reader;
    const answer = await this._request(message, options.signal, options.timeout ?? this._requestTimeout);
    return { certificate: answer.certificate, holder: answer.holder ?? null };
  }

  /**
   * Asks the daemon for the readers, cards, PIN states and holders (and updates `readers`).
   * @param {{signal?: AbortSignal, timeout?: number}} [options]
   * @returns {Promise<Array<{name: string, card: object|null}>>}
   */
  async status(options = {}) {
    await this._request({ type: 'status' }, options.signal, options.timeout ?? this._requestTimeout);
    return this.readers;
  }

  // The connection.

  _open() {
    if (!this._WebSocket) {
      this._connectionFailed(new CPSBridgeError('daemonUnavailable', { detail: 'this browser has no WebSocket' }));
      return;
    }
    this._setState('connecting', this._error);
    let ws;
    try {
      ws = new this._WebSocket(this.url);
    } catch (cause) {
      this._connectionFailed(new CPSBridgeError('daemonUnavailable', { cause }));
      return;
    }
    this._ws = ws;
    let greeted = false;
    ws.onmessage = (e) => {
      if (this._ws !== ws) return;
      let msg;
      try { msg = JSON.parse(e.data); } catch { return; }
      if (!msg || typeof msg !== 'object') return;
      if (!greeted && msg.type === 'status' && msg.id === undefined) {
        greeted = true;
        // The backoff starts over only once the connection has held a few seconds: a daemon
        // that greets and drops at once is not hammered every 250 ms.
        clearTimeout(this._stableTimer);
        this._stableTimer = setTimeout(() => { if (this._ws === ws) this._delay = this._minDelay; }, 5000);
        this._setReadersQuietly(msg.readers);
        this._setState('open', null);
        this._setReaders(msg.readers);
        this._settleWaiters(null);
        return;
      }
      this._handle(msg);
    };
    ws.onclose = () => {
      if (this._ws !== ws) return;
      this._ws = null;
      if (greeted) {
        // Lost after it worked (daemon stopped or restarted): fail what was waiting, retry.
        this._failPending(() => new CPSBridgeError('connectionLost'));
        this._readers = [];
        this._connectionFailed(new CPSBridgeError('daemonUnavailable'));
      } else {
        this._diagnose().then((error) => { if (!this._ws) this._connectionFailed(error); });
      }
    };
  }

  /**
   * Why a WebSocket closed before the daemon's greeting. The browser says nothing (close code
   * 1006 in every case), so: the Local Network Access permission when it is `denied`; else a
   * `no-cors` request to the daemon, which succeeds (opaquely) when the daemon is up and only
   * refused this page's origin, and fails when nothing listens.
   */
  async _diagnose() {
    const lna = await localNetworkAccessState();
    const localNetworkAccess = lna ? lna.status.state : null;
    if (localNetworkAccess === 'denied') return new CPSBridgeError('localNetworkAccessDenied', { localNetworkAccess });
    try {
      await fetch(this._statusURL, { mode: 'no-cors', cache: 'no-store', credentials: 'omit' });
      return new CPSBridgeError('originNotAllowed', { localNetworkAccess });
    } catch {
      return new CPSBridgeError('daemonUnavailable', { localNetworkAccess });
    }
  }

  _connectionFailed(error) {
    if (this._closed) return;
    this._failPending(() => error);
    this._settleWaiters(error);
    this._setState('unavailable', error);
    this._setReadersQuietly([]);
    clearTimeout(this._retryTimer);
    const delay = this._delay * (0.8 + 0.4 * Math.random());
    this._delay = Math.min(this._delay * 2, this._maxDelay);
    this._retryTimer = setTimeout(() => { this._retryTimer = null; if (!this._ws && !this._closed) this._open(); }, delay);
  }

  /** Reconnects at once when the user grants the Local Network Access permission. */
  async _watchPermission() {
    const lna = await localNetworkAccessState();
    if (!lna) return;
    this._permission = lna.status;
    lna.status.addEventListener('change', () => {
      if (lna.status.state === 'granted' && this._state === 'unavailable' && !this._closed) {
        this._delay = this._minDelay;
        this.connect().catch(() => {});
      }
    });
  }

  _setState(state, error) {
    const changed = state !== this._state || error !== this._error;
    this._state = state;
    this._error = error;
    if (changed) this.dispatchEvent(new CustomEvent('connectionchange', { detail: { state, error } }));
  }

  _settleWaiters(error) {
    const waiters = this._waiters;
    this._waiters = [];
    for (const w of waiters) error ? w.reject(error) : w.resolve();
  }

  // Messages.

  _handle(msg) {
    const pending = typeof msg.id === 'string' ? this._pending.get(msg.id) : undefined;
    switch (msg.type) {
      case 'status':
        this._setReaders(msg.readers);
        if (pending) pending.resolve(msg);
        break;
      case 'event':
        this._applyEvent(msg);
        break;
      case 'result':
        if (pending) pending.resolve(msg);
        break;
      case 'error':
        if (pending) pending.reject(errorFromPayload(msg));
        else this.dispatchEvent(new CustomEvent('protocolerror', { detail: errorFromPayload(msg) }));
        break;
      default:
        break; // Unknown message types are ignored (forward compatibility).
    }
  }

  _applyEvent(msg) {
    const { event, reader } = msg;
    const card = msg.card ?? null;
    const readers = this._readers.slice();
    const index = readers.findIndex((r) => r.name === reader);
    switch (event) {
      case 'readerAdded':
      case 'cardInserted':
      case 'cardRemoved':
        if (index >= 0) readers[index] = { name: reader, card };
        else readers.push({ name: reader, card });
        break;
      case 'readerRemoved':
        if (index >= 0) readers.splice(index, 1);
        break;
      default:
        return; // An unknown event is ignored.
    }
    this.dispatchEvent(new CustomEvent('readerevent', { detail: { event, reader, card } }));
    this._setReaders(readers);
    // Events carry the card's kind only: ask for the holder and PIN state.
    if (card) this.status().catch(() => {});
  }

  _setReaders(readers) {
    this._setReadersQuietly(readers);
    this.dispatchEvent(new CustomEvent('readerschange', { detail: { readers: this.readers, cardState: cardState(this._readers) } }));
  }

  _setReadersQuietly(readers) {
    this._readers = Array.isArray(readers)
      ? readers.filter((r) => r && typeof r.name === 'string').map((r) => ({ name: r.name, card: r.card ?? null }))
      : [];
  }

  // Requests.

  async _request(fields, signal, timeout) {
    if (signal?.aborted) throw new CPSBridgeError('cancelled');
    if (this._state !== 'open') await this.connect();
    const id = `r${this._nextId++}`;
    return new Promise((resolve, reject) => {
      let timer = null;
      const finish = () => {
        this._pending.delete(id);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const giveUp = (code) => {
        finish();
        this._send({ type: 'cancel', id });
        reject(new CPSBridgeError(code));
      };
      const onAbort = () => giveUp('cancelled');
      this._pending.set(id, {
        resolve: (m) => { finish(); resolve(m); },
        reject: (e) => { finish(); reject(e); },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeout > 0 && Number.isFinite(timeout)) timer = setTimeout(() => giveUp('timeout'), timeout);
      if (!this._send({ ...fields, id })) {
        finish();
        reject(new CPSBridgeError('connectionLost'));
      }
    });
  }

  /** Sends one message (every message carries the protocol version); false when not connected. */
  _send(message) {
    const ws = this._ws;
    if (!ws || ws.readyState !== 1) return false;
    try {
      ws.send(JSON.stringify({ v: PROTOCOL_VERSION, ...message }));
      return true;
    } catch {
      return false;
    }
  }

  _failPending(makeError) {
    const pending = [...this._pending.values()];
    this._pending.clear();
    for (const p of pending) p.reject(makeError());
  }
}
