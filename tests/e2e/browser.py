"""Headless Chromium for browser tests: Debian's /usr/bin/chromium through Playwright.

Also a command-line helper to look at pages:
    python -m tests.e2e.browser http://localhost:8501/ out.png
"""
from __future__ import annotations

import re
import sys
import time
from contextlib import contextmanager
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


@contextmanager
def browser_page(width: int = 1600, height: int = 1000):
    """A Playwright page whose non-local requests are blocked and recorded in page.outside_requests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        # CI runs three test workers, each with a server and a browser, on two cores: a step that takes
        # 2 s alone can take 40 s there. Conditions are still waited for, never fixed sleeps.
        context.set_default_timeout(60_000)
        page = context.new_page()
        outside: list[str] = []

        def guard(route):
            url = route.request.url
            host = urlparse(url).hostname or ""
            if url.startswith(("data:", "blob:", "file:")) or host in LOCAL_HOSTS:
                route.continue_()
            else:
                outside.append(url)
                route.abort()

        page.route("**/*", guard)
        page.outside_requests = outside  # type: ignore[attr-defined]
        try:
            yield page
        finally:
            browser.close()


def wait_until_rendered(page, timeout_s: float = 60, quiet_s: float = 1.5,
                        ready_selector: str = '[data-testid="stMain"] h1') -> None:
    """Wait until `ready_selector` shows and Streamlit's running indicator has stayed away for quiet_s."""
    page.wait_for_selector(ready_selector, timeout=timeout_s * 1000)
    deadline = time.monotonic() + timeout_s
    quiet_since = None
    while time.monotonic() < deadline:
        busy = page.locator('[data-testid="stStatusWidget"]').count() > 0 or \
            page.locator('[data-testid="stSkeleton"]').count() > 0
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_s:
            return
        page.wait_for_timeout(100)
    raise TimeoutError("the page kept running past the timeout")


def log_in(page, name: str, password: str, attempts: int = 2) -> None:
    """Log in from the sidebar's 登录 form and wait until the sidebar names the user (or fail with its message).

    Submits a second time when nothing at all happened within a minute: on CI's loaded machine a
    submit sent while the page's WebSocket was reconnecting was lost once; a person clicks again too.
    """
    sidebar = page.locator('[data-testid="stSidebar"]')
    outcome = sidebar.get_by_text(re.compile("已登录：|用户名或密码不正确|已锁定"))
    for attempt in range(attempts):
        if not page.get_by_label("用户名").is_visible():
            page.get_by_text("登录", exact=True).first.click()
        page.get_by_label("用户名").fill(name)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        try:
            outcome.first.wait_for(timeout=60_000)
            break
        except Exception as exc:  # say what the page showed instead
            if attempt + 1 < attempts:
                continue
            import os
            import tempfile

            shot = os.path.join(os.environ.get("SCREENSHOT_DIR") or tempfile.gettempdir(), f"login-failed-{name}.png")
            page.screenshot(path=shot)
            raise AssertionError(f"no login outcome for {name} (screenshot {shot}); sidebar: "
                                 f"{sidebar.inner_text()[:300]!r}; "
                                 f"main: {page.locator('[data-testid=stMain]').inner_text()[:300]!r}") from exc
    text = outcome.first.inner_text()
    assert text.startswith("已登录："), f"login as {name} failed: {text}"


if __name__ == "__main__":
    url, out = sys.argv[1], sys.argv[2]
    with browser_page() as page:
        page.goto(url)
        wait_until_rendered(page)
        page.screenshot(path=out, full_page=True)
        print("outside requests:", page.outside_requests)
