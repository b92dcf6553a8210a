"""The demo login page with the card in a simulated PIN-pad reader (`cps-bridge demo --pin-pad`).

Run by scripts/browser-tests.sh after test_demo.py, against a second demo started with
--pin-pad; it sets DEMO_URL, BRIDGE_URL, DEMO_STATE, KEYPAD (the reader's keypad socket),
ARTIFACTS, CHROMIUM and CHROMEDRIVER. The page sends no PIN: the test types it on the
reader's keypad, as a person would on a real reader. PIN tries never reach 0.
"""
import os
import time
import unittest

from selenium.webdriver.common.by import By

from test_demo import PageTestCase, PIN, WRONG_PIN, send_line

KEYPAD = os.environ.get("KEYPAD", "")


def keypad(command):
    """One line to the reader's keypad (`type DIGITS`, `cancel`, `timeout`, `display`)."""
    return send_line(KEYPAD, command, timeout=15)


class PINPadPage(PageTestCase):
    @classmethod
    def setUpClass(cls):
        if not KEYPAD:
            raise RuntimeError("KEYPAD must be set (run scripts/browser-tests.sh)")
        super().setUpClass()

    def start_login(self):
        self.open()
        self.wait_for_card_state("card", 15)
        self.element("#login").click()
        # The page waits while the reader asks for the PIN.
        deadline = time.monotonic() + 10
        while not keypad("display").startswith("WAITING"):
            self.assertLess(time.monotonic(), deadline, "the reader never asked for the PIN")
            time.sleep(0.1)

    def test_1_the_page_asks_for_no_pin_and_says_to_type_it_on_the_reader(self):
        self.open()
        self.wait_for_card_state("card", 15)
        self.assertFalse(self.element("#pin").is_displayed(), "no PIN field with a PIN-pad reader")
        self.assertIn("sur le lecteur", self.wait_for("#pin-pad-help").text)

    def test_2_a_pin_typed_on_the_reader_logs_in(self):
        self.start_login()
        self.assertIn("lecteur", self.element("#progress").text)
        self.screenshot("pinpad-waiting")
        self.assertEqual(keypad(f"type {PIN}"), "OK")
        self.wait_idle()
        self.assert_identity()
        self.screenshot("pinpad-identity")

    def test_3_a_wrong_pin_on_the_reader_says_how_many_tries_are_left(self):
        self.start_login()
        self.assertEqual(keypad(f"type {WRONG_PIN}"), "OK")
        self.wait_idle()
        error = self.wait_for("#error", 10, "the error")
        self.assertEqual(error.get_attribute("data-code"), "pinIncorrect")
        self.assertEqual(error.get_attribute("data-tries-left"), "2")
        # Put the tries back: the right PIN.
        self.start_login()
        self.assertEqual(keypad(f"type {PIN}"), "OK")
        self.wait_idle()
        self.assert_identity()

    def test_4_cancel_on_the_reader_cancels_the_login(self):
        self.start_login()
        self.assertEqual(keypad("cancel"), "OK")
        self.wait_idle()
        error = self.wait_for("#error", 10, "the error")
        self.assertEqual(error.get_attribute("data-code"), "cancelled")


if __name__ == "__main__":
    unittest.main()
