"""The shipped Chromium policy (dist/browser-policies/chromium-policy.json), loaded by Chromium.

Run by scripts/browser-tests.sh after test_demo.py, against the same running `cps-bridge demo`
(environment: see test_demo.py). Each class starts its own headless Chromium with the demo page
made public (`--ip-address-space-overrides`), so that Local Network Access applies to its calls
to the daemon on 127.0.0.1:
  - with the shipped policy written, its origins replaced by the demo federator's, into
    Chromium's managed policy folder: chrome://policy lists each of its policies with status
    OK and that origin, the page's `loopback-network` permission reads `granted` with no
    setting of ours, and the page reaches the daemon (the card is shown);
  - without the file: neither policy is listed, the permission does not read `granted`, and
    the page shows the Local Network Access error.
The file is removed at the end whatever the outcome. Writing it needs root (CI runs as root);
elsewhere the tests skip, unless CI=true.

POLICY_FILE names the file (scripts/browser-tests.sh sets it); else it is
POLICY_DIR/cps-bridge-test-PID.json, POLICY_DIR defaulting to /etc/chromium/policies/managed,
where Debian's chromium reads it (Google Chrome reads /etc/opt/chrome/policies/managed).
"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_demo as demo  # noqa: E402  (the page helpers and the demo's environment)

SHIPPED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "dist", "browser-policies",
                       "chromium-policy.json")
# The file this run writes (scripts/browser-tests.sh names it, and removes it on exit too).
POLICY_FILE = os.environ.get("POLICY_FILE") or os.path.join(
    os.environ.get("POLICY_DIR", "/etc/chromium/policies/managed"), f"cps-bridge-test-{os.getpid()}.json")
POLICY_DIR = os.path.dirname(POLICY_FILE)
# The policies the shipped file sets: the older name, and the one Chromium 146 and later read
# for loopback (127.0.0.1, where the daemon listens).
POLICY_NAMES = ("LocalNetworkAccessAllowedForUrls", "LoopbackNetworkAllowedForUrls")
PERMISSION = "loopback-network"

# chrome://policy draws its tables in shadow roots: its text is read by walking them.
POLICY_PAGE_TEXT = """
function walk(node, out) {
  if (node.shadowRoot) walk(node.shadowRoot, out);
  for (const child of node.childNodes) {
    if (child.nodeType === 3) { const t = child.textContent.trim(); if (t) out.push(t); }
    else if (child.nodeType === 11 || (child.nodeType === 1 && getComputedStyle(child).display !== 'none')) walk(child, out);
  }
  return out;
}
return walk(document.body, []);
"""


def remove_policy_file():
    try:
        os.remove(POLICY_FILE)
    except FileNotFoundError:
        pass


def can_write_policies():
    """Root (the folder is root's); otherwise a skip, or a failure under CI=true."""
    if os.geteuid() == 0:
        return
    reason = f"writing {POLICY_DIR} needs root"
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"{reason} (CI=true: nothing may skip)")
    raise unittest.SkipTest(reason)


class PolicyTestCase(demo.PageTestCase):
    """A browser started after the policy folder is set up; the page made public."""
    browser_arguments = (f"--ip-address-space-overrides=127.0.0.1:{demo.DEMO.port}=public",)

    def policy_rows(self):
        """{policy name: (value, status)} as chrome://policy shows the Chrome policies."""
        self.driver.get("chrome://policy")
        demo.WebDriverWait(self.driver, 10, poll_frequency=0.1).until(
            lambda d: "Policy name" in d.execute_script(POLICY_PAGE_TEXT))
        texts = self.driver.execute_script(POLICY_PAGE_TEXT)
        # Each row: name, value, source, applies to, level, status.
        rows = {}
        for i, text in enumerate(texts):
            if text in POLICY_NAMES and i + 5 < len(texts):
                rows[text] = (texts[i + 1], texts[i + 5])
        return rows, texts

    def permission_state(self):
        return self.driver.execute_script(
            f"return navigator.permissions.query({{name: '{PERMISSION}'}}).then(p => p.state)")


class Test3ShippedPolicy(PolicyTestCase):
    """The shipped policy, for the demo federator's origin, written before Chromium starts."""

    @classmethod
    def setUpClass(cls):
        can_write_policies()
        with open(SHIPPED, encoding="utf-8") as f:
            shipped = json.load(f)
        if set(shipped) != set(POLICY_NAMES):
            raise AssertionError(f"{SHIPPED} sets {sorted(shipped)}, expected {sorted(POLICY_NAMES)}")
        policy = {name: [demo.DEMO_ORIGIN] for name in shipped}
        cls.addClassCleanup(remove_policy_file)
        os.makedirs(POLICY_DIR, exist_ok=True)
        with open(POLICY_FILE, "w", encoding="utf-8") as f:
            json.dump(policy, f)
        os.chmod(POLICY_FILE, 0o644)
        super().setUpClass()

    def test_1_chrome_policy_shows_it_applied(self):
        rows, texts = self.policy_rows()
        for name in POLICY_NAMES:
            self.assertIn(name, rows, f"chrome://policy does not list {name}: {texts}")
            value, status = rows[name]
            self.assertEqual(json.loads(value), [demo.DEMO_ORIGIN], f"{name}: {rows[name]}")
            self.assertEqual(status, "OK", f"{name}: {rows[name]}")

    def test_2_permission_granted_and_daemon_reached(self):
        self.open()
        self.assertEqual(self.permission_state(), "granted")
        self.wait_for_card_state("card")
        self.assertFalse(self.element("#error").is_displayed())
        self.screenshot("8-policy-granted")


class Test4NoPolicy(PolicyTestCase):
    """The same browser set-up without the file: Local Network Access is not granted."""

    @classmethod
    def setUpClass(cls):
        can_write_policies()
        remove_policy_file()
        super().setUpClass()

    def test_1_chrome_policy_lists_neither(self):
        rows, texts = self.policy_rows()
        self.assertEqual(rows, {}, f"another file in {POLICY_DIR} sets these policies: {texts}")

    def test_2_permission_not_granted(self):
        self.open()
        self.assertNotEqual(self.permission_state(), "granted")
        self.wait_for('#error[data-code="localNetworkAccessDenied"]', 10, "the Local Network Access error")
        self.assertNotEqual(self.permission_state(), "granted")


if __name__ == "__main__":
    unittest.main(verbosity=2)
