"""Keyboard-only driving for the browser tests: Tab/Shift+Tab to an element, type, choose.

No mouse and no Playwright `click`/`fill`/`check`: only key presses, as a keyboard or switch user
works. Every focus stop on the way is checked for a visible focus indicator: an outline at least
2 px wide whose colour has a contrast of at least 3:1 with the background around it (WCAG 2.1,
1.4.11 non-text contrast; 2.4.7 focus visible).
"""

from __future__ import annotations

#: The focused element, its outline, and the contrast of the outline with the background behind
#: it (the outline is drawn outside the element, so the background is the parent's).
FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let bg = [255, 255, 255];
  for (let n = el.parentElement; n; n = n.parentElement) {
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) { bg = c.slice(0, 3); break; }
  }
  const style = getComputedStyle(el);
  const colour = rgb(style.outlineColor).slice(0, 3);
  const [a, b] = [lum(colour), lum(bg)].sort((x, y) => y - x);
  return {
    what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' «' +
      (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40) + '»',
    style: style.outlineStyle, width: parseFloat(style.outlineWidth),
    ratio: (a + 0.05) / (b + 0.05),
  };
}"""

#: Steps tried before giving up on reaching an element by Tab.
TAB_LIMIT = 80


def assert_focus_visible(page) -> dict:
    focus = page.evaluate(FOCUS_JS)
    assert focus is not None, "nothing has the focus"
    assert focus["style"] != "none" and focus["width"] >= 2, f"no visible focus on {focus}"
    assert focus["ratio"] >= 3, f"the focus outline has too little contrast: {focus}"
    return focus


def is_focused(locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page, locator, *, backwards: bool = False, limit: int = TAB_LIMIT) -> None:
    """Press Tab (or Shift+Tab) until `locator` has the focus; every stop must show it."""
    key = "Shift+Tab" if backwards else "Tab"
    passed = []
    if is_focused(locator):  # already there (a field with autofocus)
        assert_focus_visible(page)
        return
    for _ in range(limit):
        page.keyboard.press(key)
        focus = assert_focus_visible(page)
        if is_focused(locator):
            return
        passed.append(focus["what"])
    raise AssertionError(f"{key} x{limit} never reached {locator}; passed {passed[-10:]}")


def type_into(page, locator, text: str) -> None:
    tab_to(page, locator)
    page.keyboard.type(text)


def choose_option(page, locator, label: str, *, limit: int = 60) -> None:
    """Tab to a <select>, then press the Down arrow until the option `label` is selected."""
    tab_to(page, locator)
    for _ in range(limit):
        if locator.evaluate("el => el.selectedOptions[0] && el.selectedOptions[0].text.trim()") == (
            label
        ):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the Down arrow never selected «{label}» in {locator}")
