// The demo federator's login page: live reader state, PIN, nonce -> card -> federator.
// The PIN is read from its field once per attempt, the field is cleared at once, and the value
// goes only into the one message to the daemon: never logged, never kept.
import { CPSBridge, CPSBridgeError } from '/cps-bridge.js';

const $ = (id) => document.getElementById(id);
const PIN_FORM = /^[0-9]{4,12}$/;

/** What the page's own steps (the federator, the form) can go wrong with. */
const PAGE_MESSAGES = {
  federatorUnavailable: {
    fr: 'Le site de connexion ne répond pas. Vérifiez votre connexion à Internet, puis réessayez.',
    en: 'The login website is not answering. Check your Internet connection, then try again.',
  },
  confirmFinalTry: {
    fr: "Il ne vous reste qu'un essai. Cochez la case de confirmation, saisissez votre code PIN, cliquez sur « Se connecter », puis confirmez dans la fenêtre de votre poste.",
    en: 'Only one try is left. Tick the confirmation box, type your PIN, click “Se connecter”, then confirm in the window on your computer.',
  },
};

const STATE_TEXT = {
  connecting: 'Recherche du service CPS de ce poste…',
  'daemon-unavailable': 'Le service CPS de ce poste est injoignable depuis cette page.',
  'no-reader': 'Aucun lecteur de carte détecté. Branchez votre lecteur.',
  'no-card': 'Lecteur prêt. Insérez votre carte CPS.',
  card: 'Carte CPS détectée.',
  unsupported: 'Cette carte ne permet pas de se connecter : insérez une carte CPS3 ou CPS4 dans un lecteur à contact.',
};

let bridge = null;
let busy = false;
let errorKind = null; // 'connection' when #error shows why the daemon is unreachable, else 'login'
let finalTryAsked = false;
let pinPad = false; // the demo's reader has a PIN pad (cps-bridge demo --pin-pad): the page sends no PIN

function pageError(code) {
  return new CPSBridgeError(code, { messages: PAGE_MESSAGES[code] });
}

async function callFederator(path, body) {
  let response;
  try {
    response = await fetch(path, body === undefined ? { cache: 'no-store' } : {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), cache: 'no-store',
    });
  } catch (cause) {
    throw new CPSBridgeError('federatorUnavailable', { messages: PAGE_MESSAGES.federatorUnavailable, cause });
  }
  let json = null;
  try { json = await response.json(); } catch { /* handled below */ }
  if (response.ok && json) return json;
  const e = json?.error;
  throw new CPSBridgeError(typeof e?.code === 'string' ? e.code : 'federatorUnavailable', {
    messages: e?.message ?? PAGE_MESSAGES.federatorUnavailable,
  });
}

// Showing things.

function showError(error, kind) {
  const box = $('error');
  const e = error instanceof CPSBridgeError ? error : new CPSBridgeError('internal', { cause: error });
  box.dataset.code = e.code;
  if (e.triesLeft != null) box.dataset.triesLeft = String(e.triesLeft);
  else delete box.dataset.triesLeft;
  $('error-fr').textContent = e.messageIn('fr');
  $('error-en').textContent = e.messageIn('en');
  box.hidden = false;
  errorKind = kind;
}

function clearError(kind) {
  if (kind && errorKind !== kind) return;
  const box = $('error');
  box.hidden = true;
  delete box.dataset.code;
  delete box.dataset.triesLeft;
  $('error-fr').textContent = '';
  $('error-en').textContent = '';
  errorKind = null;
}

function cardsIn(readers) {
  return readers.filter((r) => r.card);
}

/** The reader the user picked (only asked when several hold a card). */
function chosenReader() {
  return $('reader-field').hidden ? undefined : $('reader').value || undefined;
}

function chosenCard(readers) {
  const cards = cardsIn(readers);
  const name = chosenReader();
  return (name && cards.find((r) => r.name === name)) || cards.find((r) => r.card.kind !== 'unknown') || cards[0];
}

function describeHolder(card) {
  const h = card?.holder;
  if (!h) return '';
  const name = [h.givenName, h.familyName].filter(Boolean).join(' ');
  const parts = [name || h.organization, h.profession, `n° ${h.nationalId}`].filter(Boolean);
  const pin = card.pin;
  if (pin?.state === 'blocked') parts.push('carte bloquée');
  else if (pin?.state === 'finalTry') parts.push('dernier essai du code PIN');
  else if (Number.isInteger(pin?.triesLeft)) parts.push(`${pin.triesLeft} essai${pin.triesLeft > 1 ? 's' : ''} du code PIN`);
  return parts.join(' — ');
}

function renderState(state, readers = []) {
  const box = $('card-state');
  box.dataset.state = state;
  $('card-state-text').textContent = STATE_TEXT[state];

  // The reader choice, when several cards are in.
  const cards = cardsIn(readers);
  const select = $('reader');
  const keep = select.value;
  if (state === 'card' && cards.length > 1) {
    select.replaceChildren(...cards.map((r) => new Option(r.name, r.name)));
    if (cards.some((r) => r.name === keep)) select.value = keep;
    $('reader-field').hidden = false;
  } else {
    $('reader-field').hidden = true;
  }

  const card = state === 'card' ? chosenCard(readers) : null;
  const holder = describeHolder(card?.card);
  $('card-holder').textContent = holder;
  $('card-holder').hidden = !holder;
  // The last-try confirmation: asked when the card says so, or when the daemon did.
  // A count the card cannot tell is treated as the last try by the daemon too.
  $('final-try').hidden = pinPad || !(finalTryAsked || ['finalTry', 'unknown'].includes(card?.card?.pin?.state));
  if ($('final-try').hidden) $('confirm-final-try').checked = false;
}

function renderConnection({ state, error }) {
  if (state === 'open') {
    clearError('connection');
    renderState(bridge.cardState, bridge.readers);
  } else if (error) {
    renderState('daemon-unavailable');
    if (!busy) showError(error, 'connection');
  } else {
    renderState('connecting');
  }
}

function renderIdentity(result) {
  const section = $('identity');
  const id = result.identity ?? {};
  const name = [id.given_name, id.family_name].filter(Boolean).join(' ');
  $('identity-summary').textContent = [name, id.SubjectNameID && `n° ${id.SubjectNameID}`].filter(Boolean).join(' — ');
  fillList($('identity-claims'), result.identity);
  fillList($('verification'), result.verification);
  fillList($('id-token-claims'), result.idTokenClaims);
  $('id-token').textContent = result.idToken ?? '';
  section.hidden = false;
  section.scrollIntoView?.({ block: 'nearest' });
}

function fillList(dl, object) {
  const rows = [];
  for (const [key, value] of Object.entries(object ?? {})) {
    const dt = document.createElement('dt');
    dt.textContent = key;
    const dd = document.createElement('dd');
    dd.textContent = typeof value === 'string' ? value : JSON.stringify(value);
    rows.push(dt, dd);
  }
  dl.replaceChildren(...rows);
}

function setBusy(on, text = '') {
  busy = on;
  $('login').disabled = on;
  $('login-form').setAttribute('aria-busy', String(on));
  $('progress').textContent = text;
}

// The login.

async function login(event) {
  event.preventDefault();
  if (busy) return;
  const field = $('pin');
  let pin = pinPad ? undefined : field.value;
  field.value = '';
  const needsConfirmation = !$('final-try').hidden;
  const confirmFinalTry = needsConfirmation && $('confirm-final-try').checked;
  clearError('login');
  if (!pinPad && !PIN_FORM.test(pin)) {
    pin = '';
    showError(new CPSBridgeError('invalidPin'), 'login');
    field.focus();
    return;
  }
  if (needsConfirmation && !confirmFinalTry) {
    pin = '';
    showError(new CPSBridgeError('pinFinalTry', { messages: PAGE_MESSAGES.confirmFinalTry }), 'login');
    $('confirm-final-try').focus();
    return;
  }
  $('identity').hidden = true;
  setBusy(true, 'Préparation de la connexion…');
  try {
    const { nonce } = await callFederator('/api/nonce', {});
    setBusy(true, pinPad
      ? 'Tapez votre code PIN sur le lecteur, puis OK. / Type your PIN on the reader, then OK.'
      : 'Votre carte signe la demande de connexion…');
    const attempt = bridge.authenticate(nonce, { pin, reader: chosenReader(), confirmFinalTry });
    pin = '';
    const { token } = await attempt;
    setBusy(true, 'Vérification par le site de connexion…');
    const result = await callFederator('/api/login', { nonce, token });
    clearError();
    finalTryAsked = false;
    renderIdentity(result);
  } catch (error) {
    if (error instanceof CPSBridgeError && error.code === 'pinFinalTry') finalTryAsked = true;
    if (error instanceof CPSBridgeError && error.code === 'pinIncorrect' && error.triesLeft === 1) finalTryAsked = true;
    if (error instanceof CPSBridgeError && error.code === 'readerRequired') {
      bridge.status().catch(() => {});
    }
    showError(error, 'login');
  } finally {
    pin = '';
    setBusy(false);
    if (bridge.state === 'open') {
      // The tries left changed: read them again.
      bridge.status().then(() => renderState(bridge.cardState, bridge.readers)).catch(() => {});
    }
    if (!pinPad) field.focus();
  }
}

async function main() {
  $('login-form').addEventListener('submit', login);
  $('reader').addEventListener('change', () => renderState(bridge.cardState, bridge.readers));
  let config;
  try {
    config = await callFederator('/api/config');
  } catch (error) {
    renderState('daemon-unavailable');
    showError(error, 'login');
    return;
  }
  if (config.pinPad) {
    pinPad = true;
    $('pin-field').hidden = true;
    $('pin-pad-help').hidden = false;
    $('lead').innerHTML = 'Insérez votre carte CPS dans le lecteur, cliquez sur « Se connecter », puis tapez votre code PIN sur le lecteur. '
      + '<span lang="en">Insert your CPS card, click “Se connecter” (log in), then type your PIN on the reader.</span>';
  }
  bridge = new CPSBridge({ url: config.bridgeURL, autoConnect: false });
  bridge.on('connectionchange', renderConnection);
  bridge.on('readerschange', ({ readers, cardState: state }) => {
    if (bridge.state === 'open') renderState(state, readers);
  });
  bridge.connect().catch(() => { /* shown by connectionchange; retries continue */ });
  window.cpsBridge = bridge; // for the browser tests and the curious
}

main();
