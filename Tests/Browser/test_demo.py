"""The demo login page in headless Chromium, against a running `cps-bridge demo`.

Run by scripts/browser-tests.sh, which starts the demo and sets:
  DEMO_URL     http://127.0.0.1:PORT/ (the demo federator's page, an origin the daemon allows)
  BRIDGE_URL   http://127.0.0.1:BPORT (the daemon)
  DEMO_STATE   the demo's state directory (the simulated card's control socket is card/control.sock)
  ARTIFACTS    where screenshots go
  CHROMIUM, CHROMEDRIVER   the browser and its driver
The simulated card: PIN 1234, 3 tries, holder CAMILLE TEST-CPS, national ID 899700012345.
Tests run in name order; PIN tries never reach 0 (each wrong PIN is followed by the right one).
"""
import json
import os
import re
import socket
import tempfile
import time
import unittest
import urllib.parse

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

DEMO_URL = os.environ.get("DEMO_URL", "")
BRIDGE_URL = os.environ.get("BRIDGE_URL", "")
DEMO_STATE = os.environ.get("DEMO_STATE", "")
ARTIFACTS = os.environ.get("ARTIFACTS", "test-artifacts/browser")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")

PIN = "1234"
WRONG_PIN = "0000"
NATIONAL_ID = "899700012345"
GIVEN_NAME, FAMILY_NAME = "CAMILLE", "TEST-CPS"

DEMO = urllib.parse.urlsplit(DEMO_URL)
DEMO_ORIGIN = f"{DEMO.scheme}://{DEMO.netloc}"
BRIDGE = urllib.parse.urlsplit(BRIDGE_URL)
BRIDGE_WS = f"ws://{BRIDGE.netloc}/v1/ws"


def send_line(path, command, timeout=5):
    """One command line to a Unix socket of the bed, and its one answer line."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(path)
        s.sendall(command.encode() + b"\n")
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = s.recv(256)
            if not chunk:
                break
            answer += chunk
    return answer.decode().strip()


def card_control(command):
    """One line to the simulated card's control socket (`remove`, `insert`, `status`...)."""
    text = send_line(os.path.join(DEMO_STATE, "card", "control.sock"), command)
    if text.startswith("error"):
        raise AssertionError(f"card control {command}: {text}")
    return text


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def make_driver(extra_arguments=()):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1000,1500",
                     f"--user-data-dir={tempfile.mkdtemp(prefix='cps-chromium-')}", *extra_arguments):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_script_timeout(15)
    return driver


class PageTestCase(unittest.TestCase):
    """A browser per class, and the page's helpers."""
    browser_arguments = ()
    console = []

    @classmethod
    def setUpClass(cls):
        if not (DEMO_URL and BRIDGE_URL and DEMO_STATE):
            raise RuntimeError("DEMO_URL, BRIDGE_URL and DEMO_STATE must be set (run scripts/browser-tests.sh)")
        os.makedirs(ARTIFACTS, exist_ok=True)
        cls.driver = make_driver(cls.browser_arguments)
        cls.console = []

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()

    def tearDown(self):
        # The page must never write a PIN to the console, whatever the test did.
        self.console.extend(self.driver.get_log("browser"))
        for entry in self.console:
            for pin in (PIN, WRONG_PIN):
                self.assertIsNone(re.search(rf"(?<![0-9]){pin}(?![0-9])", entry["message"]),
                                  f"a PIN appears in the console: {entry['message'][:200]}")

    # Helpers.

    def open(self, url=None):
        self.driver.get(url or DEMO_URL)

    def element(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def wait_for(self, css, timeout=10, what=None):
        """Waits until `css` matches a displayed element; fails with the page's state if not."""
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(
                lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()), False))
        except TimeoutException:
            self.fail(f"{what or css} not shown within {timeout} s; {self.page_state()}")

    def page_state(self):
        return json.dumps(self.driver.execute_script("""
            const s = document.getElementById('card-state'), e = document.getElementById('error');
            return {cardState: s && s.dataset.state, text: s && s.textContent.trim(),
                    error: e && !e.hidden ? {code: e.dataset.code, triesLeft: e.dataset.triesLeft, text: e.textContent.trim()} : null,
                    identityShown: !document.getElementById('identity').hidden};"""), ensure_ascii=False)

    def card_state(self):
        return self.element("#card-state").get_attribute("data-state")

    def wait_for_card_state(self, state, timeout=10):
        return self.wait_for(f'#card-state[data-state="{state}"]', timeout, f"card state {state}")

    def submit_pin(self, pin):
        field = self.element("#pin")
        field.clear()
        field.send_keys(pin)
        self.element("#login").click()

    def wait_idle(self, timeout=20):
        WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(
            lambda d: d.find_element(By.ID, "login").is_enabled())

    def screenshot(self, name):
        path = os.path.join(ARTIFACTS, f"{name}.png")
        self.driver.save_screenshot(path)
        return path

    def log_in(self, pin=PIN):
        self.submit_pin(pin)
        self.wait_idle()
        # (Not assertEqual: a failure would print the PIN.)
        self.assertTrue(self.element("#pin").get_attribute("value") == "", "the PIN field is not cleared after the attempt")

    def assert_identity(self):
        identity = self.wait_for("#identity", 15, "the identity")
        text = identity.text
        self.assertIn(NATIONAL_ID, text)
        self.assertIn(GIVEN_NAME, text)
        self.assertIn(FAMILY_NAME, text)
        jwt = self.element("#id-token").text
        self.assertRegex(jwt, r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$", "the raw ID token is shown")
        self.assertTrue(self.element("#error").get_attribute("hidden") is not None, "no error is shown")

    def browser_probe(self, origin_note):
        """From the current page: a WebSocket to the daemon and a fetch of its status."""
        return self.driver.execute_async_script("""
            const [wsURL, statusURL, done] = arguments;
            const result = {events: []};
            const ws = new WebSocket(wsURL);
            ws.onopen = () => result.events.push('open');
            ws.onmessage = (m) => result.events.push('message');
            ws.onerror = () => result.events.push('error');
            ws.onclose = (e) => {
              result.events.push('close ' + e.code);
              fetch(statusURL).then(r => r.text().then(t => { result.fetch = 'status ' + r.status + ' ' + t.slice(0, 200); }),
                                    e => { result.fetch = 'rejected ' + e.name; })
                .then(() => done(result));
            };
            setTimeout(() => { if (ws.readyState === 1) ws.close(); }, 2000);
        """, BRIDGE_WS, f"{BRIDGE_URL}/v1/status")


FAKE_WEBSOCKET = """
class FakeWebSocket {
  static instances = [];
  static plan = [];   // 'refuse' or 'accept', one per connection attempt; then 'accept'
  constructor(url) {
    this.url = url; this.sent = []; this.readyState = 0; this.at = performance.now();
    FakeWebSocket.instances.push(this);
    const plan = FakeWebSocket.plan.shift() ?? 'accept';
    setTimeout(() => plan === 'refuse' ? this.drop() : (this.readyState = 1, this.onopen?.({})), 5);
  }
  drop(code = 1006) { if (this.readyState === 3) return; this.readyState = 3; this.onclose?.({code}); }
  close() { this.drop(1000); }
  send(text) { const m = JSON.parse(text); if ('pin' in m) m.pin = '<present>'; this.sent.push(m); }
  push(message) { this.onmessage?.({data: JSON.stringify({v: 1, ...message})}); }
  last() { return this.sent[this.sent.length - 1]; }
}
const until = async (test, ms = 3000) => {
  const end = performance.now() + ms;
  while (!test()) { if (performance.now() > end) throw new Error('timed out waiting'); await new Promise(r => setTimeout(r, 5)); }
};
const outcome = (promise) => promise.then((value) => ({ok: value}), (e) => ({code: e.code, name: e.name, triesLeft: e.triesLeft,
  readers: e.readers, fr: e.messageIn ? e.messageIn('fr') : String(e), en: e.messageIn ? e.messageIn('en') : String(e)}));
const CARD = {kind: 'cps3', pin: {state: 'ok', triesLeft: 3, maxTries: 3}, holder: {nationalId: '899700012345', familyName: 'TEST-CPS', givenName: 'CAMILLE'}};
// Port 9 is one Chromium never connects to: the client's diagnosis finds no daemon there at once.
const URL_ = 'ws://127.0.0.1:9/v1/ws';
"""


class Test0Client(PageTestCase):
    """cps-bridge.js itself, in the browser, against a scripted WebSocket (no daemon involved)."""

    def run_client_script(self, body):
        self.open()
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "(async () => { const {CPSBridge, CPSBridgeError, cardState} = await import('/cps-bridge.js');"
            + FAKE_WEBSOCKET + body +
            "})().then(done, (e) => done({scriptError: String(e && e.stack || e)}));")
        self.assertNotIn("scriptError", result, result)
        return result

    def test_1_reconnects_with_backoff_and_emits_state_again(self):
        r = self.run_client_script("""
            FakeWebSocket.plan = ['refuse', 'refuse', 'accept', 'accept'];
            const log = [];
            const bridge = new CPSBridge({url: URL_, WebSocket: FakeWebSocket, minReconnectDelay: 50, maxReconnectDelay: 400, autoConnect: false});
            bridge.on('connectionchange', ({state, error}) => log.push(state + (error ? ':' + error.code : '')));
            bridge.on('readerschange', ({readers, cardState}) => log.push('readers:' + readers.length + ':' + cardState));
            const first = await outcome(bridge.connect());
            await until(() => FakeWebSocket.instances.length === 3 && FakeWebSocket.instances[2].readyState === 1);
            const ws = FakeWebSocket.instances;
            ws[2].push({type: 'status', readers: [{name: 'R1', card: CARD}]});
            const afterOpen = {state: bridge.state, cardState: bridge.cardState, readers: bridge.readers};
            ws[2].drop();   // the daemon stops
            await until(() => ws.length === 4 && ws[3].readyState === 1);
            ws[3].push({type: 'status', readers: [{name: 'R1', card: null}, {name: 'R2', card: null}]});
            const gaps = [ws[1].at - ws[0].at, ws[2].at - ws[1].at];
            bridge.close();
            return {first, log, afterOpen, gaps, final: bridge.state};
        """)
        self.assertEqual(r["first"]["code"], "daemonUnavailable", r)
        self.assertIn("ne répond pas", r["first"]["fr"])
        self.assertEqual(r["afterOpen"]["state"], "open")
        self.assertEqual(r["afterOpen"]["cardState"], "card")
        self.assertEqual(r["afterOpen"]["readers"][0]["card"]["holder"]["nationalId"], NATIONAL_ID)
        self.assertEqual(r["log"], [
            "connecting", "unavailable:daemonUnavailable", "connecting:daemonUnavailable", "unavailable:daemonUnavailable",
            "connecting:daemonUnavailable", "open", "readers:1:card",
            "unavailable:daemonUnavailable", "connecting:daemonUnavailable", "open", "readers:2:no-card", "closed"], r)
        # Backoff: about 50 ms, then about 100 ms (with +-20 % jitter).
        self.assertGreater(r["gaps"][0], 35, r)
        self.assertGreater(r["gaps"][1], 75, r)
        self.assertGreater(r["gaps"][1], r["gaps"][0], r)

    def test_2_requests_answers_and_errors(self):
        r = self.run_client_script("""
            const bridge = new CPSBridge({url: URL_, WebSocket: FakeWebSocket});
            await until(() => FakeWebSocket.instances[0]?.readyState === 1);
            const ws = FakeWebSocket.instances[0];
            ws.push({type: 'status', readers: [{name: 'R1', card: CARD}]});
            await bridge.connect();
            const out = {};
            // Two requests in progress; answers matched by id, in any order.
            const auth = outcome(bridge.authenticate('kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONjg=', {pin: '5678', reader: 'R1'}));
            const authMessage = ws.last();
            const status = outcome(bridge.status());
            const statusMessage = ws.last();
            ws.push({type: 'status', id: statusMessage.id, readers: [{name: 'R1', card: CARD}, {name: 'R2', card: null}]});
            ws.push({type: 'error', id: authMessage.id, code: 'pinIncorrect', triesLeft: 2,
                     message: {fr: 'Code PIN incorrect. Il vous reste 2 essais avant le blocage de la carte.', en: 'Wrong PIN. 2 tries left before the card is blocked.'}});
            out.authMessage = authMessage; out.auth = await auth; out.status = await status;
            // Success.
            const ok = outcome(bridge.authenticate('n'.repeat(44), {confirmFinalTry: true}));
            const okMessage = ws.last();
            ws.push({type: 'result', id: okMessage.id, token: {format: 'web-eid:1.0'}, holder: CARD.holder});
            out.okMessage = okMessage; out.ok = await ok;
            // Abort: cancel is sent, the call rejects with cancelled at once.
            const controller = new AbortController();
            const aborted = outcome(bridge.authenticate('n'.repeat(44), {signal: controller.signal}));
            const abortedId = ws.last().id;
            controller.abort();
            out.aborted = await aborted; out.cancelForAbort = ws.last(); out.abortedId = abortedId;
            // A call's own timeout: cancel is sent, the call rejects with timeout.
            const timed = outcome(bridge.getCertificate('R1', {timeout: 50}));
            const timedMessage = ws.last();
            out.timed = await timed; out.cancelForTimeout = ws.last(); out.timedMessage = timedMessage;
            // A code this client does not know passes through with the daemon's words.
            const unknown = outcome(bridge.status());
            ws.push({type: 'error', id: ws.last().id, code: 'somethingNew', message: {fr: 'Nouveau', en: 'New'}});
            out.unknown = await unknown;
            // readerRequired keeps the readers.
            const several = outcome(bridge.authenticate('n'.repeat(44)));
            ws.push({type: 'error', id: ws.last().id, code: 'readerRequired', readers: ['R1', 'R2'], message: {fr: 'f', en: 'e'}});
            out.several = await several;
            // A PIN that is not 4 to 12 digits is refused here: nothing is sent.
            const before = ws.sent.length;
            out.badPin = await outcome(bridge.authenticate('n'.repeat(44), {pin: '12a'}));
            out.sentForBadPin = ws.sent.length - before;
            // Events update the readers; a card insertion asks for the holder.
            const events = [];
            bridge.on('readerevent', (e) => events.push(e.event + ':' + e.reader));
            ws.push({type: 'event', event: 'cardRemoved', reader: 'R1', card: null});
            out.afterRemoved = bridge.cardState;
            ws.push({type: 'event', event: 'somethingElse', reader: 'R1', card: null});
            ws.push({type: 'event', event: 'cardInserted', reader: 'R2', card: {kind: 'cps2ter', pin: null, holder: null}});
            out.afterUnsupported = bridge.cardState;
            out.statusAskedAfterInsert = ws.last().type;
            ws.push({type: 'event', event: 'readerRemoved', reader: 'R2', card: null});
            out.readersAfterRemoval = bridge.readers.map(r => r.name);
            out.events = events;
            // The connection drops during a login.
            const lost = outcome(bridge.authenticate('n'.repeat(44)));
            ws.drop();
            out.lost = await lost;
            out.sent = ws.sent;
            bridge.close();
            return out;
        """)
        self.assertEqual(r["authMessage"], {"type": "authenticate", "nonce": "kDQG76N4DGrl0K0FicTQx+rC3b6pMZ/Him5BoaCONjg=",
                                            "reader": "R1", "pin": "<present>", "v": 1, "id": r["authMessage"]["id"]})
        self.assertTrue(all(m.get("v") == 1 for m in r["sent"]), "every message carries the version")
        self.assertEqual(r["auth"]["code"], "pinIncorrect")
        self.assertEqual(r["auth"]["name"], "CPSBridgeError")
        self.assertEqual(r["auth"]["triesLeft"], 2)
        self.assertIn("Il vous reste 2 essais", r["auth"]["fr"])
        self.assertIn("2 tries left", r["auth"]["en"])
        self.assertEqual([x["name"] for x in r["status"]["ok"]], ["R1", "R2"])
        self.assertTrue(r["okMessage"]["confirmFinalTry"])
        self.assertNotIn("pin", r["okMessage"])
        self.assertEqual(r["ok"]["ok"]["token"], {"format": "web-eid:1.0"})
        self.assertEqual(r["ok"]["ok"]["holder"]["nationalId"], NATIONAL_ID)
        self.assertEqual(r["aborted"]["code"], "cancelled")
        self.assertEqual(r["cancelForAbort"], {"type": "cancel", "id": r["abortedId"], "v": 1})
        self.assertEqual(r["timedMessage"]["type"], "getCertificate")
        self.assertEqual(r["timed"]["code"], "timeout")
        self.assertEqual(r["cancelForTimeout"], {"type": "cancel", "id": r["timedMessage"]["id"], "v": 1})
        self.assertEqual((r["unknown"]["code"], r["unknown"]["fr"], r["unknown"]["en"]), ("somethingNew", "Nouveau", "New"))
        self.assertEqual((r["several"]["code"], r["several"]["readers"]), ("readerRequired", ["R1", "R2"]))
        self.assertEqual((r["badPin"]["code"], r["sentForBadPin"]), ("invalidPin", 0))
        self.assertEqual(r["afterRemoved"], "no-card")
        self.assertEqual(r["afterUnsupported"], "unsupported")
        self.assertEqual(r["statusAskedAfterInsert"], "status")
        self.assertEqual(r["readersAfterRemoval"], ["R1"])
        self.assertEqual(r["events"], ["cardRemoved:R1", "cardInserted:R2", "readerRemoved:R2"])
        self.assertEqual(r["lost"]["code"], "connectionLost")


class Test1DemoPage(PageTestCase):
    """The page served by the demo federator, on an origin the daemon allows."""

    def test_1_happy_path(self):
        self.open()
        self.assertEqual(self.driver.title, "Se connecter avec ma carte CPS")
        self.assertIn("Se connecter avec ma carte CPS", self.element("h1").text)
        pin = self.element("#pin")
        self.assertEqual(pin.get_attribute("type"), "password")
        self.assertEqual(pin.get_attribute("inputmode"), "numeric")
        self.assertEqual(pin.get_attribute("autocomplete"), "off")
        self.wait_for_card_state("card")
        self.assertIn(f"{GIVEN_NAME} {FAMILY_NAME}", self.element("#card-holder").text, "the holder is shown before login")
        self.log_in()
        self.assert_identity()
        self.assertEqual(self.card_state(), "card")
        self.screenshot("1-identity")

    def assert_full_tries(self):
        """Wrong PINs are sent only to a card with all its tries: the card never gets blocked."""
        try:
            WebDriverWait(self.driver, 5).until(lambda d: "3 essais" in d.find_element(By.ID, "card-holder").text)
        except TimeoutException:
            self.fail(f"the card does not have its 3 tries; no wrong PIN sent; {self.page_state()}")

    def test_2_wrong_pin_then_right_pin(self):
        self.open()
        self.wait_for_card_state("card")
        self.assert_full_tries()
        self.log_in(WRONG_PIN)
        error = self.wait_for('#error[data-code="pinIncorrect"]', 10, "the wrong-PIN error")
        self.assertEqual(error.get_attribute("data-tries-left"), "2")
        self.assertIn("Il vous reste 2 essais", error.text)
        self.assertTrue(self.element("#identity").get_attribute("hidden") is not None)
        self.screenshot("2-wrong-pin")
        self.log_in(PIN)
        self.assert_identity()
        # The right PIN reset the counter: the card says 3 tries again.
        WebDriverWait(self.driver, 5).until(lambda d: "3 essais" in d.find_element(By.ID, "card-holder").text)

    def test_3_final_try_needs_confirmation(self):
        self.open()
        self.wait_for_card_state("card")
        self.assert_full_tries()
        self.log_in(WRONG_PIN)
        self.wait_for('#error[data-code="pinIncorrect"][data-tries-left="2"]')
        self.log_in(WRONG_PIN)
        error = self.wait_for('#error[data-code="pinIncorrect"]')
        self.assertEqual(error.get_attribute("data-tries-left"), "1")
        confirm = self.wait_for("#confirm-final-try", 5, "the last-try confirmation")
        # Without the confirmation the page sends nothing: still one try left.
        self.log_in(PIN)
        self.wait_for('#error[data-code="pinFinalTry"]')
        WebDriverWait(self.driver, 5).until(lambda d: "dernier essai" in d.find_element(By.ID, "card-holder").text)
        # And the daemon itself refuses the last try without confirmation (through the client).
        refused = self.driver.execute_async_script("""
            const [pin, done] = arguments;
            fetch('/api/nonce', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'})
              .then(r => r.json())
              .then(({nonce}) => window.cpsBridge.authenticate(nonce, {pin}))
              .then(() => done({code: 'none'}), e => done({code: e.code, name: e.name, fr: e.messageIn('fr')}))
              .then(() => {}, () => {});
            """, PIN)
        self.assertEqual(refused["code"], "pinFinalTry", refused)
        self.assertEqual(refused["name"], "CPSBridgeError")
        self.assertIn("qu'un essai", refused["fr"])
        self.screenshot("3-final-try")
        # The page's confirmation alone never spends the last try: the daemon asked the
        # holder natively too (the demo's stand-in pinentry confirms and logs what it showed).
        pinentry_log = os.path.join(DEMO_STATE, "demo-pinentry.log")
        shown_before = read_text(pinentry_log) if os.path.exists(pinentry_log) else ""
        self.assertNotIn("CONFIRM", shown_before, "the holder was asked although the page had not confirmed")
        confirm.click()
        self.log_in(PIN)
        self.assert_identity()
        shown = read_text(pinentry_log)
        self.assertIn("CONFIRM", shown)
        self.assertIn("Dernier essai", urllib.parse.unquote(shown))
        self.assertIn(DEMO_ORIGIN, urllib.parse.unquote(shown))
        WebDriverWait(self.driver, 5).until(lambda d: "3 essais" in d.find_element(By.ID, "card-holder").text)
        self.assertFalse(self.element("#final-try").is_displayed())

    def test_4_card_removed_then_inserted(self):
        self.open()
        self.wait_for_card_state("card")
        card_control("remove")
        try:
            self.wait_for_card_state("no-card", 5)
            self.screenshot("4-no-card")
            self.submit_pin(PIN)
            self.wait_idle()
            self.wait_for('#error[data-code="noCard"]', 5, "the no-card error")
        finally:
            card_control("insert")
        try:
            self.wait_for_card_state("card", 8)
        except AssertionError:
            # Seen on this bed (docs/TESTING.md, SimulatedCard.reinsert): vpcd sometimes misses a
            # reconnection right after a pull. Pull and insert once more, as a person would.
            print(f"note: reinsertion not seen after 8 s (card: {card_control('status')}); inserting again")
            card_control("remove")
            time.sleep(0.5)
            card_control("insert")
            self.wait_for_card_state("card", 10)
        self.log_in()
        self.assert_identity()

    def test_5_other_origin_gets_nothing(self):
        # localhost:PORT is another origin than 127.0.0.1:PORT, and not on the daemon's list.
        other = DEMO_URL.replace("127.0.0.1", "localhost", 1)
        self.assertNotEqual(other, DEMO_URL)
        self.open(other)
        self.assertEqual(self.driver.execute_script("return location.origin"), other.rstrip("/"))
        probe = self.browser_probe("other origin")
        self.assertNotIn("open", probe["events"], f"the daemon accepted a WebSocket from {other}: {probe}")
        self.assertNotIn("message", probe["events"])
        self.assertTrue(any(e.startswith("close") for e in probe["events"]), probe)
        self.assertTrue(probe["fetch"].startswith("rejected"), f"the page could read the daemon's status: {probe}")
        error = self.wait_for('#error[data-code="originNotAllowed"]', 10, "the origin error")
        self.assertIn("pas autorisé", error.text)
        self.assertEqual(self.card_state(), "daemon-unavailable")
        body = self.element("body").text
        self.assertNotIn(NATIONAL_ID, body)
        self.assertNotIn(FAMILY_NAME, body)
        self.screenshot("5-other-origin")
        # The allowed origin, for comparison, in the same browser.
        self.open()
        probe = self.browser_probe("allowed origin")
        self.assertIn("open", probe["events"], probe)
        self.assertIn(NATIONAL_ID, probe["fetch"])


class Test2LocalNetworkAccess(PageTestCase):
    """Chromium's Local Network Access: the demo page made public, the daemon on loopback."""
    browser_arguments = (f"--ip-address-space-overrides=127.0.0.1:{DEMO.port}=public",)

    def set_permission(self, setting):
        self.driver.execute_cdp_cmd("Browser.setPermission", {
            "permission": {"name": "loopback-network"}, "setting": setting, "origin": DEMO_ORIGIN})

    def permission_state(self):
        return self.driver.execute_script(
            "return navigator.permissions.query({name: 'loopback-network'}).then(p => p.state)")

    def test_1_denied_then_granted(self):
        self.set_permission("denied")
        self.open()
        error = self.wait_for('#error[data-code="localNetworkAccessDenied"]', 10, "the Local Network Access error")
        self.assertIn("réseau local", error.text)
        self.assertEqual(self.card_state(), "daemon-unavailable")
        self.assertEqual(self.permission_state(), "denied")
        probe = self.browser_probe("denied")
        self.assertNotIn("open", probe["events"], probe)
        self.assertTrue(probe["fetch"].startswith("rejected"), probe)
        self.screenshot("6-lna-denied")
        # Granting it while the page is open: the client reconnects by itself.
        self.set_permission("granted")
        self.wait_for_card_state("card", 10)
        self.assertFalse(self.element("#error").is_displayed())
        self.log_in()
        self.assert_identity()

    def test_2_granted(self):
        self.set_permission("granted")
        self.open()
        self.wait_for_card_state("card")
        self.assertEqual(self.permission_state(), "granted")
        self.log_in()
        self.assert_identity()
        self.screenshot("7-lna-granted")

    def test_3_unset_permission_in_headless(self):
        # Observed with Chromium 156 headless: with no setting, the permission's prompt cannot be
        # shown, the connection fails, and the permission then reads `denied`.
        self.driver.execute_cdp_cmd("Browser.resetPermissions", {})
        self.open()
        self.wait_for('#error[data-code="localNetworkAccessDenied"]', 10, "the Local Network Access error")
        self.assertEqual(self.permission_state(), "denied")


if __name__ == "__main__":
    unittest.main(verbosity=2)
