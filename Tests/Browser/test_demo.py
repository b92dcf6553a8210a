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


def card_control(command):
    """One line to the simulated card's control socket (`remove`, `insert`, `status`...)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(os.path.join(DEMO_STATE, "card", "control.sock"))
        s.sendall(command.encode() + b"\n")
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = s.recv(256)
            if not chunk:
                break
            answer += chunk
    text = answer.decode().strip()
    if text.startswith("error"):
        raise AssertionError(f"card control {command}: {text}")
    return text


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
        self.assertEqual(self.element("#pin").get_attribute("value"), "", "the PIN field is cleared after the attempt")

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

    def test_2_wrong_pin_then_right_pin(self):
        self.open()
        self.wait_for_card_state("card")
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
        self.log_in(WRONG_PIN)
        self.wait_for('#error[data-code="pinIncorrect"][data-tries-left="2"]')
        self.log_in(WRONG_PIN)
        error = self.wait_for('#error[data-code="pinIncorrect"]')
        self.assertEqual(error.get_attribute("data-tries-left"), "1")
        confirm = self.wait_for("#confirm-final-try", 5, "the last-try confirmation")
        # Without the confirmation nothing goes to the card: still one try left.
        self.log_in(PIN)
        self.wait_for('#error[data-code="pinFinalTry"]')
        WebDriverWait(self.driver, 5).until(lambda d: "dernier essai" in d.find_element(By.ID, "card-holder").text)
        self.screenshot("3-final-try")
        confirm.click()
        self.log_in(PIN)
        self.assert_identity()
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
            # Seen on this bed (TESTBED.md, SimulatedCard.reinsert): vpcd sometimes misses a
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
