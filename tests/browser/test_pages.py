"""The built book, page by page, as a reader's browser shows it.

For every page of _toc.yml (and the generated index and search pages), headless Chromium
opens the page from a server on 127.0.0.1 in light mode (nothing stored, a light system
theme), then switches it to dark mode with the page's own colour-mode button, as a reader
does. The tests assert that it loads, logs no error, asks nothing of any other machine,
typesets every equation, shows every figure with alt text that describes it, passes
axe-core's check with no serious or critical violation in both modes, and sets figures on
white in dark mode. Each page is opened once (the ``report`` fixture), in one tab that goes
from page to page with its stored choices forgotten in between; its tests share what was
seen. One more test opens a page with dark mode already stored, as on a reader's second
visit, and sees it dark from the start.

The tests of the built HTML itself (internal links and anchors, alt text, remote assets) need
no browser and run on every machine. The last tests feed the checks broken input, to show
that they can fail.

A failing test leaves screenshots of its page in _build/browser-failures/. With
NNLIB_BROWSER_SCREENSHOTS=1 every page is saved in light and dark mode in _build/browser-pages/.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import os
import re
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from .conftest import ROOT, BookPage, _QuietHandler, leaves_the_machine, toc_pages

# Every page of the table of contents, and the two pages Sphinx generates for every book.
PAGES = [*toc_pages(), "genindex.html", "search.html"]
SCREENS = ROOT / "_build" / "browser-pages"

# ---------------------------------------------------------------------------------------------
# What counts as a problem (plain functions, tested at the end of this file)

# Alt texts that say nothing about what a figure shows.
GENERIC_ALT = {
    "alt", "chart", "diagram", "fig", "figure", "graph", "image", "img", "output", "picture",
    "plot", "png", "jpg", "jpeg", "svg", "gif", "untitled", "none", "null", "undefined",
}


def alt_problem(alt: str | None, src: str = "") -> str | None:
    """Why an <img>'s alt text does not describe it, or None when it does."""
    if alt is None:
        return "no alt attribute"
    text = " ".join(alt.split())
    if not text:
        return "empty alt"
    if text.lower().strip(".:") in GENERIC_ALT:
        return f"generic alt {text!r}"
    if src and text == src:
        return "alt is the file name"
    if re.search(r"(^|/)_images/|\.(png|jpe?g|svg|gif|webp)$", text, re.I):
        return f"alt is a file name: {text!r}"
    if re.fullmatch(r"<.*(Figure|object at 0x).*>", text):
        return f"alt is a Python repr: {text!r}"
    if len(text.split()) < 2:
        return f"alt too short to say what the figure shows: {text!r}"
    return None


def axe_problems(results: dict) -> list[str]:
    """Serious and critical axe-core violations, one line per element (at most 5 per rule)."""
    lines = []
    for violation in results.get("violations", []):
        if violation.get("impact") not in ("serious", "critical"):
            continue
        for node in violation["nodes"][:5]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']} at "
                f"{node['target']}: {summary}"
            )
    return lines


# ---------------------------------------------------------------------------------------------
# In the page

# Math: Sphinx writes each equation as .math holding TeX; MathJax replaces the TeX with an
# <mjx-container>. Raw TeX left anywhere outside code means an equation was not rendered.
MATH_CHECK = r"""() => {
  const SKIP = 'pre, code, kbd, samp, script, style, textarea, noscript, mjx-container';
  const RAW = [
    /\$\$/, /\\begin\{/, /\\end\{/, /\\\(/, /\\\)/, /\\\[/, /\\\]/,
    /\\(frac|sum|prod|partial|nabla|mathbf|mathrm|mathcal|boldsymbol|sigma|alpha|beta|theta|lambda|eta|epsilon|cdot|times|top|left|right|hat|tilde|text|sqrt|log|exp|leq|geq|approx|quad)(?![a-zA-Z])/,
    /(^|[^\\$\w])\$[^$\s](?:[^$]*[^$\s\\])?\$(?!\w)/,
  ];
  const math = [...document.querySelectorAll('.math')];
  const untypeset = math.filter(el => !el.querySelector('mjx-container'));
  const errors = [...document.querySelectorAll('mjx-merror, [data-mjx-error]')];
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: node => node.parentElement && node.parentElement.closest(SKIP)
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    if (RAW.some(pattern => pattern.test(text))) raw.push(text.trim().slice(0, 120));
  }
  return {
    equations: math.length,
    rendered: document.querySelectorAll('mjx-container').length,
    untypeset: untypeset.map(el => el.textContent.trim().slice(0, 120)),
    errors: errors.map(el => (el.getAttribute('data-mjx-error') || el.textContent).slice(0, 120)),
    raw,
  };
}"""

# Figures: load every image now (lazy ones too), then report what each one shows.
IMAGES = r"""async () => {
  const images = [...document.images];
  images.forEach(img => { img.loading = 'eager'; });
  await Promise.all(images.map(img => img.complete ? null : new Promise(resolve => {
    img.addEventListener('load', resolve, {once: true});
    img.addEventListener('error', resolve, {once: true});
    setTimeout(resolve, 15000);
  })));
  return images.map(img => ({
    src: (img.getAttribute('src') || '').slice(0, 100),
    alt: img.getAttribute('alt'),
    complete: img.complete,
    width: img.naturalWidth,
    svgShown: /\.svg($|\?)/.test(img.currentSrc) && img.getBoundingClientRect().width > 0,
  }));
}"""

ARTICLE_TEXT = "() => (document.querySelector('main') || {innerText: ''}).innerText.length"

# The page column at BookPage's 1300 px wide window holds about 80 characters of code. A code
# cell or printed output wider than that scrolls sideways, and a reader loses the end of the line.
WIDE_BLOCKS = """() => Array.from(document.querySelectorAll('.bd-article pre'))
  .filter(el => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
  .map(el => el.textContent.split('\\n')
    .reduce((a, b) => (b.length > a.length ? b : a), '').slice(0, 100))"""


@dataclass
class PageReport:
    """What Chromium showed of one page, in light mode and then in dark mode."""

    path: str
    page: BookPage
    status: int | None = None
    article_chars: int = 0
    math: dict = field(default_factory=dict)
    images: list = field(default_factory=list)
    axe_light: list = field(default_factory=list)
    axe_dark: list = field(default_factory=list)
    light_theme: str = ""
    dark_theme: str = ""
    dark_figures: list = field(default_factory=list)
    wide_blocks: list = field(default_factory=list)

    def screenshot_pages(self):
        return [(f"-{self.dark_theme or self.light_theme}", self.page)]


# axe runs twice in light mode: the rules about colour with the equations as text (see
# BookPage.axe), the others on MathJax's markup. In dark mode only the colours change: the
# rules about colour are run again.
COLOUR_RULES = {"resultTypes": ["violations"], "runOnly": ["color-contrast", "link-in-text-block"]}
OTHER_RULES = {"resultTypes": ["violations"],
               "rules": {rule: {"enabled": False} for rule in COLOUR_RULES["runOnly"]}}

# The colour-mode button cycles auto -> dark -> light (on a light system); press it until the
# page shows the theme asked for, at most once per mode. The theme eases some colours into the
# new mode (CSS transitions): wait until they have arrived, then say which theme the page shows.
TO_THEME = """async theme => {
  const button = document.querySelector('.theme-switch-button');
  for (let i = 0; button && i < 3 && document.documentElement.dataset.theme !== theme; i++) {
    button.click();
  }
  await new Promise(requestAnimationFrame);
  await Promise.all(document.getAnimations().map(animation => animation.finished));
  return document.documentElement.dataset.theme;
}"""


def run_axe(book_page: BookPage, options: dict | None = None,
            equations_as_text: bool = False) -> list[str]:
    return axe_problems(book_page.axe(options, equations_as_text))


# Each shown figure of the page's content: its computed background, filter and padding, and a
# key for how it is styled (its classes, inline style and parent's classes): figures styled
# alike render alike.
FIGURE_STYLES = """() => [...document.querySelectorAll('.bd-content img')].map((img, i) => {
  const style = getComputedStyle(img), box = img.getBoundingClientRect();
  return {number: i + 1, alt: (img.getAttribute('alt') || '').slice(0, 50),
          shown: box.width > 0 && box.height > 0 && style.visibility !== 'hidden'
                 && !img.matches('.only-dark, .dark-light'),
          background: style.backgroundColor, filter: style.filter,
          padding: parseFloat(style.paddingTop),
          styling: [img.className, img.getAttribute('style'),
                    (img.parentElement || {}).className].join(' | ')};
})"""


def dark_figure_problems(book_page: BookPage) -> list[str]:
    """Figures in dark mode: each must sit on opaque white at full brightness.

    Every figure's computed style is checked; the rendered pixels of the white margin are
    looked at once per way a figure is styled (a screenshot per figure costs more than the
    rest of the check together).
    """
    from PIL import Image

    problems, looked_at = [], set()
    images = book_page.page.locator(".bd-content img")
    for figure in book_page.page.evaluate(FIGURE_STYLES):
        if not figure["shown"]:
            continue
        name = f"figure {figure['number']} ({figure['alt']!r})"
        if figure["background"] != "rgb(255, 255, 255)" or figure["filter"] != "none":
            problems.append(f"{name}: background {figure['background']}, "
                            f"filter {figure['filter']}")
        elif figure["padding"] >= 3 and figure["styling"] not in looked_at:
            looked_at.add(figure["styling"])
            shot = images.nth(figure["number"] - 1).screenshot()
            picture = Image.open(io.BytesIO(shot)).convert("RGB")
            pixel = picture.getpixel((picture.width // 2, 1))
            if min(pixel) < 235:
                problems.append(f"{name}: the margin around the figure renders as {pixel}")
    return problems


@pytest.fixture(scope="module", params=PAGES)
def report(request, book_tab) -> PageReport:
    """Open one page in the module's tab (its stored choices forgotten first), look at it in
    light mode, switch it to dark mode and look again."""
    path, page = request.param, book_tab
    page.forget()
    seen = PageReport(path, page)
    stem = path.removesuffix(".html").replace("/", "_")
    response = page.goto(path)
    seen.status = response.status if response else None
    seen.light_theme = page.page.evaluate("document.documentElement.dataset.theme")
    seen.article_chars = page.page.evaluate(ARTICLE_TEXT)
    seen.images = page.page.evaluate(IMAGES)
    seen.math = page.page.evaluate(MATH_CHECK)
    seen.wide_blocks = page.page.evaluate(WIDE_BLOCKS)
    if os.environ.get("NNLIB_BROWSER_SCREENSHOTS"):     # as a reader sees it, before axe runs
        page.screenshot(SCREENS / f"{stem}-light.png")
        page.page.evaluate(TO_THEME, "dark")
        page.screenshot(SCREENS / f"{stem}-dark.png")
        page.page.evaluate(TO_THEME, "light")
    seen.axe_light = (run_axe(page, OTHER_RULES)
                      + run_axe(page, COLOUR_RULES, equations_as_text=True))

    seen.dark_theme = page.page.evaluate(TO_THEME, "dark")
    seen.dark_figures = dark_figure_problems(page)
    seen.axe_dark = run_axe(page, COLOUR_RULES)
    return seen


# ---------------------------------------------------------------------------------------------
# Every page, in Chromium


@pytest.mark.browser
def test_page_loads(report):
    assert report.status == 200, f"{report.path} answered HTTP {report.status}"
    assert report.article_chars > 0, f"{report.path} shows no main content"
    failed = report.page.failed_requests
    assert not failed, "resources that did not load:\n" + "\n".join(failed)


@pytest.mark.browser
def test_no_console_errors(report):
    errors = report.page.console_errors
    assert not errors, "\n".join(errors)


@pytest.mark.browser
def test_requests_nothing_off_machine(report):
    remote = sorted(set(report.page.remote_requests))
    assert not remote, "requests to other machines (refused):\n" + "\n".join(remote)


@pytest.mark.browser
def test_no_code_or_output_scrolls_sideways(report):
    assert report.wide_blocks == [], (f"{report.path}: at a 1300 px window these code "
                                      f"blocks scroll sideways; their longest lines: "
                                      f"{report.wide_blocks}")


@pytest.mark.browser
def test_every_equation_is_rendered(report):
    math = report.math
    assert report.page.mathjax in ("typeset", "absent"), f"MathJax {report.page.mathjax}"
    if math["equations"]:
        assert report.page.mathjax == "typeset", "the page has equations but loads no MathJax"
    assert not math["untypeset"], "equations left as TeX:\n" + "\n".join(math["untypeset"])
    assert not math["errors"], "equations MathJax could not typeset:\n" + "\n".join(math["errors"])
    assert not math["raw"], "raw TeX in the page's text:\n" + "\n".join(math["raw"])
    assert math["rendered"] >= math["equations"]


@pytest.mark.browser
def test_every_figure_is_shown(report):
    broken = [
        f"{image['src']} (alt {image['alt']!r})"
        for image in report.images
        if not (image["complete"] and (image["width"] > 0 or image["svgShown"]))
    ]
    assert not broken, "images that did not render:\n" + "\n".join(broken)


@pytest.mark.browser
def test_every_figure_has_alt_text(report):
    problems = [
        f"{image['src']}: {problem}"
        for image in report.images
        if (problem := alt_problem(image["alt"], image["src"]))
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_accessibility_light_mode(report):
    assert report.light_theme == "light"
    assert not report.axe_light, "axe-core, light mode:\n" + "\n".join(report.axe_light)


@pytest.mark.browser
def test_accessibility_dark_mode(report):
    assert report.dark_theme == "dark"
    assert not report.axe_dark, "axe-core, dark mode:\n" + "\n".join(report.axe_dark)


@pytest.mark.browser
def test_dark_mode_sets_figures_on_white(report):
    assert report.dark_theme == "dark"
    assert not report.dark_figures, "\n".join(report.dark_figures)


@pytest.mark.browser
def test_a_stored_dark_mode_is_dark_from_the_start(browser, book_url):
    """A reader who chose dark mode comes back: the page is dark before anything is clicked,
    its figures still on white."""
    page = BookPage(browser, book_url, dark=True)
    try:
        page.goto("book/03_layers.html")
        assert page.page.evaluate("document.documentElement.dataset.theme") == "dark"
        assert page.page.locator(".bd-content img").count() > 0
        assert dark_figure_problems(page) == []
        page.assert_clean()
    finally:
        page.close()


# ---------------------------------------------------------------------------------------------
# Site-wide behaviour, in Chromium


@pytest.mark.browser
def test_front_page_redirects_to_the_introduction(book_page):
    book_page.page.goto(book_page.url("index.html"))
    book_page.page.wait_for_url(re.compile(r"/book/intro\.html$"), timeout=10_000)
    book_page.assert_clean()


def test_front_page_is_a_whole_page(book_site):
    """The site's index.html, which sends the browser on to the introduction, has a language,
    a title, the book's icon (so no browser asks for a /favicon.ico) and a link."""
    page = (book_site / "index.html").read_text()
    facts = html_facts(book_site / "index.html")
    assert '<html lang="en">' in page and "<title>Neural Networks from Scratch</title>" in page
    assert 'http-equiv="Refresh" content="0; url=book/intro.html"' in page
    assert facts.resources == ["_static/favicon.svg"]
    assert (book_site / "_static" / "favicon.svg").is_file()
    assert facts.links == ["_static/favicon.svg", "book/intro.html"]


@pytest.mark.browser
def test_search_works_offline(book_page):
    book_page.goto("search.html?q=gradient")
    results = book_page.page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=20_000)
    assert results.count() >= 1
    book_page.assert_clean()


# ---------------------------------------------------------------------------------------------
# The built HTML, without a browser


class _HTMLFacts(HTMLParser):
    """The ids, links, loaded resources and images of one HTML file."""

    RESOURCE_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut", "prefetch",
                     "manifest", "apple-touch-icon"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []      # every href/src: must resolve when local
        self.resources: list[str] = []  # what a browser loads by itself: must be local
        self.images: list[tuple[str | None, str]] = []  # (alt, src)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("name"):
            self.ids.add(attributes["name"])
        if tag in ("a", "area") and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "link" and attributes.get("href"):
            self.links.append(attributes["href"])
            if self.RESOURCE_RELS & set((attributes.get("rel") or "").lower().split()):
                self.resources.append(attributes["href"])
        if tag in ("script", "img", "iframe", "source", "video", "audio", "embed", "track"):
            if attributes.get("src"):
                self.links.append(attributes["src"])
                self.resources.append(attributes["src"])
        if tag == "object" and attributes.get("data"):
            self.links.append(attributes["data"])
            self.resources.append(attributes["data"])
        if tag == "img":
            self.images.append((attributes.get("alt"), attributes.get("src") or ""))

    handle_startendtag = handle_starttag


def html_facts(path: Path) -> _HTMLFacts:
    facts = _HTMLFacts()
    facts.feed(path.read_text(encoding="utf-8", errors="replace"))
    facts.close()
    return facts


def is_external(url: str) -> bool:
    return bool(urlsplit(url).scheme) or url.startswith("//")


def is_remote(url: str) -> bool:
    return url.startswith("//") or urlsplit(url).scheme in ("http", "https", "ws", "wss", "ftp")


def site_pages(site: Path) -> list[Path]:
    """The site's HTML pages. _static/ holds the themes' Jinja macro files (*.html that are
    templates, not pages, full of ``{{ pathto(...) }}``): they are not served as pages."""
    pages = site.rglob("*.html")
    return sorted(path for path in pages if "_static" not in path.relative_to(site).parts)


def broken_links(site: Path) -> list[str]:
    """Every local href/src in the site's pages that names a missing file or #anchor."""
    site = site.resolve()
    facts = {path: html_facts(path) for path in site_pages(site)}
    broken = []
    for page, page_facts in facts.items():
        where = page.relative_to(site).as_posix()
        for url in page_facts.links:
            if is_external(url) or url == "#":
                continue
            parts = urlsplit(url)
            if parts.path.startswith("/"):
                target = site / unquote(parts.path).lstrip("/")
            elif parts.path:
                target = page.parent / unquote(parts.path)
            else:
                target = page
            target = Path(os.path.normpath(target))
            if target.is_dir():
                target = target / "index.html"
            if not target.is_relative_to(site):
                broken.append(f"{where}: {url} points outside the site")
            elif not target.is_file():
                broken.append(f"{where}: {url} (no file {target.relative_to(site)})")
            elif parts.fragment and target.suffix == ".html":
                ids = (facts.get(target) or html_facts(target)).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{where}: {url} (no #{parts.fragment} in that page)")
    return broken


def test_every_toc_page_is_built(book_site):
    missing = [page for page in toc_pages() if not (book_site / page).is_file()]
    assert not missing, f"pages of _toc.yml missing from the build: {missing}"
    assert len(toc_pages()) >= 2


def test_internal_links_and_anchors_resolve(book_site):
    broken = broken_links(book_site)
    assert not broken, f"{len(broken)} broken internal link(s):\n" + "\n".join(broken)


def test_pages_load_nothing_from_the_network(book_site):
    remote = [
        f"{page.relative_to(book_site)}: {url}"
        for page in site_pages(book_site)
        for url in html_facts(page).resources
        if is_remote(url)
    ]
    assert not remote, "\n".join(remote)


def test_every_image_in_the_site_has_alt_text(book_site):
    problems = [
        f"{page.relative_to(book_site)}: {src[:80]}: {problem}"
        for page in site_pages(book_site)
        for alt, src in html_facts(page).images
        if (problem := alt_problem(alt, src))
    ]
    assert not problems, "\n".join(problems)


def test_mathjax_and_no_thebe(book_site):
    """MathJax is served by the site; the Thebe script (and its double declaration) is gone."""
    assert (book_site / "_static" / "mathjax" / "tex-mml-chtml.js").is_file()
    assert (book_site / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()
    for page in site_pages(book_site):
        text = page.read_text(encoding="utf-8", errors="replace")
        assert "THEBE_JS_URL" not in text and "x-thebe-config" not in text, page.name


# ---------------------------------------------------------------------------------------------
# The checks can fail: broken input, each flagged


@pytest.mark.parametrize(
    ("alt", "src"),
    [(None, "a.png"), ("", "a.png"), ("  ", "a.png"), ("png", "a.png"), ("Output", "x.png"),
     ("../_images/4e2d93a3.png", "../_images/4e2d93a3.png"), ("_images/abc.png", "x"),
     ("<Figure size 640x480 with 1 Axes>", "x.png"), ("plot.svg", "plot.svg"), ("Plot", "p")],
)
def test_alt_problem_flags_placeholders(alt, src):
    assert alt_problem(alt, src) is not None


@pytest.mark.parametrize(
    "alt", ["Binder logo", "Line plot of tanh(z) for z from -3 to 3: an S-shaped curve."]
)
def test_alt_problem_accepts_descriptions(alt):
    assert alt_problem(alt, "x.png") is None


def test_broken_links_finds_missing_files_and_anchors(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.html").write_text(
        '<h1 id="top">A</h1><a href="#top">ok</a><a href="sub/b.html#here">ok</a>'
        '<a href="https://example.org/x">external, not checked</a><a href="#">ok</a>'
        '<a href="missing.html">1</a><a href="sub/b.html#nowhere">2</a><img src="c.png" alt="x y">'
        '<a href="#gone">3</a><a href="../../outside.html">4</a>'
    )
    (tmp_path / "sub" / "b.html").write_text('<p id="here"><a href="../a.html">back</a></p>')
    broken = broken_links(tmp_path)
    assert len(broken) == 5, broken
    for needle in ("missing.html", "#nowhere", "c.png", "#gone", "outside"):
        assert any(needle in line for line in broken), needle


@pytest.mark.browser
def test_a_page_cannot_reach_another_machine(browser, book_url, tmp_path):
    """A server on another address (127.0.0.2: this machine, standing in for another) that
    the page could reach: its request never arrives, and it is recorded."""
    arrived = []

    class Server(_QuietHandler):
        def do_GET(self):
            arrived.append(self.path)
            super().do_GET()

    (tmp_path / "data.txt").write_text("reached")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.2", 0), functools.partial(Server, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    other = f"http://127.0.0.2:{server.server_port}/data.txt"
    page = BookPage(browser, book_url)
    try:
        page.goto("book/intro.html")
        answer = page.page.evaluate("""async url => {
          try { await fetch(url, {mode: 'no-cors'}); return 'reached'; }
          catch (error) { return 'refused'; }
        }""", other)
    finally:
        page.close()
        server.shutdown()
        server.server_close()
    assert answer == "refused" and arrived == []
    assert page.remote_requests == [other]


@pytest.mark.parametrize("url, remote", [
    ("http://127.0.0.1:8000/book/intro.html", False),
    ("data:image/png;base64,iVBORw0KGgo=", False),
    ("blob:http://127.0.0.1:8000/6a1d0c2e-1f7b-4c3e-9d5a-0b8e2f4a7c91", False),
    ("https://cdn.example.org/lib.js", True),
    ("http://93.184.216.34/", True),
    ("http://localhost:8000/book/intro.html", True),     # the book is served on 127.0.0.1 only
])
def test_leaves_the_machine(url, remote):
    assert leaves_the_machine(url) == remote


def test_axe_problems_keeps_serious_and_critical_only():
    results = {"violations": [
        {"id": "region", "impact": "moderate", "help": "h", "nodes": [{"target": ["div"]}]},
        {"id": "color-contrast", "impact": "serious", "help": "contrast",
         "nodes": [{"target": ["a"], "failureSummary": "too light"}]},
        {"id": "image-alt", "impact": "critical", "help": "alt", "nodes": [{"target": ["img"]}]},
    ]}
    problems = axe_problems(results)
    assert len(problems) == 2 and "color-contrast" in problems[0] and "image-alt" in problems[1]


BROKEN_PAGE = """<!doctype html><html lang="en"><head><title>Broken</title>
<script src="https://cdn.example.org/lib.js"></script></head>
<body><main><h1>Broken</h1><p>Raw TeX: $$ \\frac{1}{m} $$ and \\(x\\).</p>
<span class="math">\\(W x + b\\)</span><img src="data:image/png;base64,iVBORw0KGgo=">
<script>undefinedFunction();</script></main></body></html>"""


@contextlib.contextmanager
def served(browser, book_url, name: str, body: str):
    """A BookPage showing the HTML body as if the site served it as name."""
    page = BookPage(browser, book_url)
    try:
        page.page.route(book_url + name, lambda route: route.fulfill(
            status=200, content_type="text/html", body=body))
        page.goto(name)
        yield page
    finally:
        page.close()


@pytest.mark.browser
def test_checks_catch_a_broken_page(browser, book_url):
    """A page with a remote script, raw TeX, a broken image without alt and a script error."""
    with served(browser, book_url, "broken.html", BROKEN_PAGE) as page:
        math = page.page.evaluate(MATH_CHECK)
        images = page.page.evaluate(IMAGES)
        axe = run_axe(page)
    assert page.remote_requests == ["https://cdn.example.org/lib.js"]
    assert any("undefinedFunction" in error for error in page.console_errors)
    assert math["equations"] == 1 and math["untypeset"] and len(math["raw"]) >= 1
    assert images[0]["width"] == 0 and alt_problem(images[0]["alt"], images[0]["src"])
    assert any(line.startswith("image-alt") for line in axe)


# Equations as MathJax leaves them (glyphs drawn by CSS, the MathML hidden for screen
# readers): two in a paragraph, readable, and one in a note, in a grey too faint to read.
EQUATION = """<mjx-container class="MathJax"><mjx-math aria-hidden="true"><mjx-mi>
<mjx-c class="w"></mjx-c></mjx-mi><mjx-mi><mjx-c class="x"></mjx-c></mjx-mi><mjx-mo>
<mjx-c class="plus"></mjx-c></mjx-mo><mjx-mi><mjx-c class="b"></mjx-c></mjx-mi></mjx-math>
<mjx-assistive-mml><math><mi>W</mi><mi>x</mi><mo>+</mo><mi>b</mi></math></mjx-assistive-mml>
</mjx-container>"""
FAINT_EQUATION_PAGE = f"""<!doctype html><html lang="en"><head><title>Equations</title><style>
mjx-c.w::before {{ content: "W"; }} mjx-c.x::before {{ content: "x"; }}
mjx-c.plus::before {{ content: "+"; }} mjx-c.b::before {{ content: "b"; }}
mjx-assistive-mml {{ position: absolute; clip: rect(1px, 1px, 1px, 1px); width: 1px; }}
.note mjx-container {{ color: #bbb; }}
</style></head><body><main><p>A layer computes {EQUATION}, then {EQUATION}
again.</p><div class="note"><p>Note: {EQUATION} first.</p></div></main></body></html>"""


@pytest.mark.browser
def test_colour_check_sees_equations_as_text(browser, book_url):
    """Axe's colour-contrast rule is blind to MathJax's CSS-drawn glyphs; with the equations
    as text (one of each kind), it sees the faint one."""
    with served(browser, book_url, "equations.html", FAINT_EQUATION_PAGE) as page:
        as_drawn = run_axe(page, COLOUR_RULES)
        sampled = run_axe(page, COLOUR_RULES, equations_as_text=True)
        kept = page.page.locator("mjx-container")
        assert kept.all_inner_texts() == ["Wx+b", "Wx+b"]   # the paragraph's, the note's
    assert as_drawn == []
    assert len(sampled) == 1 and sampled[0].startswith("color-contrast"), sampled
    assert "div > p > mjx-container" in sampled[0] and "#bbbbbb" in sampled[0]   # the note's


DARK_FIGURES_PAGE = """<!doctype html><html lang="en"><head><title>Figures</title></head>
<body><main class="bd-content">
<img alt="A figure on a dark background" src="data:image/png;base64,{png}" width="40" height="40"
     style="background: #222; padding: 4px">
<img alt="A figure with its colours inverted" src="data:image/png;base64,{png}" width="40"
     height="40" style="background: white; padding: 4px; filter: invert(1)">
<img alt="A figure on white, dimmed by a dark veil" src="data:image/png;base64,{png}" width="40"
     height="40" style="background: white; padding: 4px; box-shadow: inset 0 0 0 40px #000">
<img alt="A figure on white" src="data:image/png;base64,{png}" width="40" height="40"
     style="background: white; padding: 4px; display: block">
</main></body></html>""".format(
    png="iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgqDgBAAG8AUGYBKi+AAAAAElFTkSuQmCC")


@pytest.mark.browser
def test_dark_figure_check_catches_figures_off_white(browser, book_url):
    with served(browser, book_url, "figures.html", DARK_FIGURES_PAGE) as page:
        problems = dark_figure_problems(page)
    assert len(problems) == 3, problems
    assert "figure 1" in problems[0] and "rgb(34, 34, 34)" in problems[0]
    assert "figure 2" in problems[1] and "invert(1)" in problems[1]
    assert "figure 3" in problems[2] and "renders as" in problems[2]
