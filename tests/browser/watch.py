"""What a browser test watches for on our pages: script that ran from planted text, and anything the
Content-Security-Policy refused (which proves, page by page, that no inline script or style is left)."""

from __future__ import annotations

#: Added to a context before any page script: `xss(n)` records a planted payload that ran; every
#: `securitypolicyviolation` is recorded with what was blocked and where.
WATCH_SCRIPT = """
(() => {
  const runs = [];
  const violations = [];
  Object.defineProperty(window, "__watch", { value: { runs, violations } });
  window.xss = (n) => { runs.push(String(n) + " on " + location.pathname); };
  document.addEventListener("securitypolicyviolation", (event) => {
    violations.push(
      event.effectiveDirective + " refused " + (event.blockedURI || "inline") + " at " +
      (event.sourceFile || location.href) + ":" + event.lineNumber + " " + (event.sample || "")
    );
  }, true);
})();
"""


def watch(context) -> list[str]:
    """Watch every page of the context; returns the list the console's policy errors are added to."""
    console: list[str] = []
    context.add_init_script(WATCH_SCRIPT)

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            console.append(message.text)

    context.on("console", on_console)
    return console


def seen(page) -> dict[str, list[str]]:
    """What the page's watch recorded so far (empty lists when nothing ran and nothing was refused)."""
    return page.evaluate("({runs: window.__watch.runs.slice(), violations: window.__watch.violations.slice()})")
