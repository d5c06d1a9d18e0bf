"""The explorers on the built book's pages: every slider and menu changes the picture, with no
kernel and no error.

The pages are those whose notebook shows an explorer (nnlib.explore). Each explorer is a
<div class="nnlib-explorer"> with native controls, an <img> and a JSON payload (see
nnlib/static.py). In Chromium, every control is moved through all its positions, and after
each move the picture must be the one the payload holds for the controls' positions: so a
control that the script ignored, or a wrong frame, fails. Moving a control through its
positions must show at least two different pictures: no dead slider.

The tests of the built HTML (no live widget anywhere, page sizes) need no browser.
Fixtures (book_site, book_page: the book built once, served on 127.0.0.1, in Chromium) come
from tests/browser/conftest.py.
"""

from __future__ import annotations

import re

import pytest

from .conftest import ROOT, BookPage, toc_docnames

# Pages whose notebook displays an explorer.
EXPLORER_PAGES = [f"{name}.html" for name in toc_docnames()
                  if (ROOT / f"{name}.ipynb").is_file()
                  and "nnlib.explore." in (ROOT / f"{name}.ipynb").read_text()]
LIMIT_BYTES = 3 * 1024 * 1024   # a chapter page with its images


def test_the_explorer_chapter_is_among_the_pages():
    assert "book/10_explorers.html" in EXPLORER_PAGES


# -- the built HTML ------------------------------------------------------------------------
def test_no_page_shows_a_live_widget(book_site):
    """An ipywidgets view on a page without a kernel is a dead slider: there must be none.

    MyST-NB renders a widget view as <script type="application/vnd.jupyter.widget-view+json">
    for a widget manager to fill in. (The page may keep the widgets' saved *state*, a
    widget-state+json script: inert data that nothing reads once nb_ipywidgets_js loads no
    manager.)
    """
    dead = []
    for page in sorted(book_site.rglob("*.html")):
        if "application/vnd.jupyter.widget-view+json" in page.read_text(errors="replace"):
            dead.append(str(page.relative_to(book_site)))
    assert not dead, f"pages with an ipywidgets view, which is dead without a kernel: {dead}"


@pytest.mark.parametrize("path", EXPLORER_PAGES)
def test_explorer_page_size_and_scripts(book_site, path):
    html_file = book_site / path
    text = html_file.read_text()
    assert text.count('class="nnlib-explorer"') >= 1
    # no widget manager or require.js: no script from elsewhere at all
    assert not re.search(r"<script[^>]*\bsrc=[\"'](https?:)?//", text)
    images = {m for m in re.findall(r'<img[^>]*\bsrc="([^"]+)"', text) if not m.startswith("data:")}
    size = len(text.encode()) + sum((html_file.parent / src).stat().st_size for src in images)
    assert size < LIMIT_BYTES, f"{path} weighs {size / 2**20:.2f} MB with its images"


# -- in Chromium -----------------------------------------------------------------------------
def _payload(explorer):
    """The explorer's JSON payload: its frames, their alt texts, the grid's sizes and values.
    It never changes, so it is read once per explorer (it holds every frame: megabytes)."""
    return explorer.evaluate(
        """root => JSON.parse(root.querySelector('script[type="application/json"]').textContent)""")


def _state(explorer):
    """The controls' positions and what the picture shows now."""
    return explorer.evaluate("""root => {
        const controls = Array.from(root.querySelectorAll("[data-axis]"));
        const img = root.querySelector("img");
        return {positions: controls.map(c => Number(c.value)),
                disabled: controls.map(c => c.disabled), src: img.src, alt: img.alt};
    }""")


def _expected(data, state):
    """The src and alt the payload holds for the controls' current positions."""
    i = 0
    for size, position in zip(data["sizes"], state["positions"]):
        i = i * size + position
    frame = data["index"][i]
    return "data:image/png;base64," + data["frames"][frame], data["alts"][frame]


def _move(control, kind, position):
    if kind == "range":
        control.fill(str(position))         # sets the value and fires input and change
    else:
        control.select_option(str(position))


@pytest.mark.browser
@pytest.mark.parametrize("path", EXPLORER_PAGES)
def test_every_control_changes_the_picture(book_page, path):
    book_page.goto(path)
    explorers = book_page.page.locator("div.nnlib-explorer")
    assert explorers.count() >= 1, f"{path}: no explorer on the page"
    for e in range(explorers.count()):
        explorer = explorers.nth(e)
        explorer.scroll_into_view_if_needed()
        data, state = _payload(explorer), _state(explorer)
        assert (state["src"], state["alt"]) == _expected(data, state), "the first picture is wrong"
        controls = explorer.locator("[data-axis]")
        for k in range(controls.count()):
            control = controls.nth(k)
            kind = "range" if control.get_attribute("type") == "range" else "select"
            need = data["needs"][k]
            if need is not None:   # e.g. the scale of "normal": off until "normal" is chosen
                assert _state(explorer)["disabled"][k], f"control {k} should start disabled"
                _move(controls.nth(need[0]), "select", need[1])
                assert not _state(explorer)["disabled"][k]
            seen = set()
            for position in range(data["sizes"][k]):
                _move(control, kind, position)
                now = _state(explorer)
                assert now["positions"][k] == position
                assert (now["src"], now["alt"]) == _expected(data, now), \
                    f"explorer {e}, control {k} at {position}: not the payload's picture"
                seen.add(now["src"])
            assert len(seen) > 1, f"explorer {e}: control {k} never changes the picture"
            if kind == "range":   # the keyboard moves it too (and says the value to readers)
                control.focus()
                before = _state(explorer)["positions"][k]
                book_page.page.keyboard.press("ArrowLeft")
                now = _state(explorer)
                assert now["positions"][k] == before - 1
                assert (now["src"], now["alt"]) == _expected(data, now)
                value = data["values"][k][before - 1]
                assert control.get_attribute("aria-valuetext") == value
                assert explorer.locator(f'output[data-for="{k}"]').inner_text() == value
    book_page.assert_clean()


@pytest.mark.browser
def test_the_play_button_steps_through_backpropagation(browser, book_url):
    """Chapter 6's step-through: every step a distinct picture, and a play button that walks the
    steps on its own, one every 0.9 s, pauses when pressed again and stops at the last step.

    The tab's clock is Playwright's: time runs as usual until the page has loaded, then stands
    still and moves only when the test says (run_for), so what the player does in a given time
    is exact however busy the machine is."""
    book_page = BookPage(browser, book_url)
    try:
        book_page.page.clock.install()
        book_page.goto("book/06_backpropagation.html")
        _play_button_checks(book_page)
    finally:
        book_page.close()


def _play_button_checks(book_page):
    page = book_page.page
    explorer = page.locator("div.nnlib-explorer").filter(has=page.locator("button[data-play]"))
    assert explorer.count() == 1, "chapter 6 has one explorer with a play button"
    explorer.scroll_into_view_if_needed()
    button, step = explorer.locator("button[data-play]"), explorer.locator('input[type="range"]')
    assert button.inner_text().strip().endswith("play")        # a real button, with its label
    last = int(step.get_attribute("max"))
    data, pictures = _payload(explorer), []
    for position in range(last + 1):
        _move(step, "range", position)
        state = _state(explorer)
        assert (state["src"], state["alt"]) == _expected(data, state)
        pictures.append(state["src"])
    assert len(set(pictures)) == last + 1, "two steps show the same picture"

    def position():
        return int(step.evaluate("el => Number(el.value)"))

    page.clock.pause_at(page.evaluate("Date.now()") + 1_000)   # from now on, time stands still
    _move(step, "range", 0)
    button.click()                                            # play from the first step
    assert button.get_attribute("aria-pressed") == "true" and "pause" in button.inner_text()
    page.clock.run_for(899)
    assert position() == 0                                    # not before 0.9 s
    page.clock.run_for(1)
    assert position() == 1
    page.clock.run_for(900)
    assert position() == 2
    state = _state(explorer)
    assert (state["src"], state["alt"]) == _expected(data, state)   # the picture follows the steps
    button.click()                                            # pause
    page.clock.run_for(10_000)
    assert position() == 2 and button.get_attribute("aria-pressed") == "false"
    _move(step, "range", last - 2)
    button.click()                                            # play to the end: it stops there
    page.clock.run_for(2 * 900)
    assert position() == last
    page.clock.run_for(10_000)
    assert position() == last and "play" in button.inner_text()
    assert button.get_attribute("aria-pressed") == "false"
    state = _state(explorer)
    assert (state["src"], state["alt"]) == _expected(data, state)
    book_page.assert_clean()
