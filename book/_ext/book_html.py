"""Sphinx extension: the built HTML works with no network, and without ARIA errors.

Jupyter Book 1 builds pages that fetch scripts from CDNs. This extension, loaded through
``sphinx: local_extensions`` in _config.yml, makes the built site self-contained:

* Thebe. Jupyter Book always loads sphinx_thebe, even with ``launch_buttons: thebe: false``.
  sphinx_thebe then adds ``const THEBE_JS_URL = "https://unpkg.com/..."`` to every page, and
  Sphinx 7 emits that inline script twice, so every page logs "SyntaxError: Identifier
  'THEBE_JS_URL' has already been declared". The book does not use Thebe (Binder and Colab
  buttons launch the notebooks instead), so we disconnect sphinx_thebe's event handlers and
  drop its stylesheet: no Thebe script, config or CSS on any page.

* MathJax. Sphinx loads MathJax 3 from a CDN by default. _config.yml sets ``mathjax_path`` to
  the local file ``mathjax/tex-mml-chtml.js`` (the same combined component the CDN default
  serves, so online readers lose nothing), and at the end of the build we copy MathJax 3
  into ``_build/html/_static/mathjax/`` from the PyPI package django-static-mathjax (a plain
  copy of the MathJax 3.2.2 distribution, no dependencies: it installs with the rest of
  requirements.txt, so a reader needs neither npm nor a network at build time).

* A guard. Every script and stylesheet a page registers must be served by the site itself:
  a remote one (say, require.js and the ipywidgets manager that myst-nb adds to a page with
  widget state) is reported as a build warning, which fails ``make book`` (-W).

* The front page. The site's index.html only sends the browser on to the first chapter. The
  one sphinx-external-toc writes is a lone <meta> tag; ours is a whole page, with a language,
  a title, the book's icon (without one, browsers ask the server for a /favicon.ico that is
  not there) and a link for a browser that does not follow the redirect.

And one accessibility fix that CSS cannot make: docutils marks each bibliography entry
``role="doc-biblioentry"`` inside a ``role="list"``. DPUB-ARIA 1.1 deprecated that role, so
to browsers and axe-core the list holds no list items (a critical ARIA violation on the
references page). Each entry becomes ``role="listitem"``, which is what it is.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

# The parts of MathJax's es5/ folder that the combined component loads on demand (the TeX
# extensions, fonts, the menu, the accessibility explorer and its speech rules). The other
# combined components (tex-svg.js, ...) are never loaded by ours, so they are not copied.
MATHJAX_DIRS = ("a11y", "adaptors", "input", "output", "sre", "ui")


def mathjax_source() -> Path:
    """The es5/ folder of the MathJax 3 copy that django-static-mathjax installs."""
    try:
        import mathjax  # the package django-static-mathjax; an empty module with static/
    except ImportError as error:
        raise ExtensionError(
            "MathJax is not installed: `pip install django-static-mathjax` "
            "(it is in requirements.txt; `make book` installs it)"
        ) from error
    es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (es5 / "tex-mml-chtml.js").is_file():
        raise ExtensionError(f"no MathJax 3 es5/ folder at {es5}: reinstall django-static-mathjax")
    return es5


def is_remote(uri: str) -> bool:
    return "://" in uri or uri.startswith("//")


def check_config(app: Sphinx, config) -> None:
    """Fail early when mathjax_path names a local file the MathJax package does not have."""
    path = config.mathjax_path
    if path and not is_remote(path) and path.startswith("mathjax/"):
        relative = path.removeprefix("mathjax/")
        if not (mathjax_source() / relative).is_file():
            raise ExtensionError(f"mathjax_path = {path!r}: MathJax has no file {relative!r}")


def remove_thebe(app: Sphinx) -> None:
    """Disconnect every event handler sphinx_thebe registered, and drop its stylesheet."""
    for listeners in app.events.listeners.values():
        listeners[:] = [
            listener
            for listener in listeners
            if not getattr(listener.handler, "__module__", "").startswith("sphinx_thebe")
        ]
    app.registry.css_files = [
        (filename, attributes)
        for filename, attributes in app.registry.css_files
        if filename != "sphinx-thebe.css"
    ]


def check_assets(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Warn about any script or stylesheet on a page that would be fetched from elsewhere."""
    assets = list(context.get("script_files", [])) + list(context.get("css_files", []))
    for asset in assets:
        uri = getattr(asset, "filename", asset)
        if isinstance(uri, str) and is_remote(uri):
            logger.warning(
                "page %s loads %s from the network; the book must work offline. "
                "Serve it from _static, or drop it (for ipywidgets: nb_ipywidgets_js).",
                pagename,
                uri,
                location=pagename,
                type="book_html",
                subtype="remote_asset",
            )


def fix_aria_roles(app: Sphinx, pagename: str, templatename: str, context: dict, doctree):
    """Bibliography entries are the list items of their role="list" (see the docstring)."""
    body = context.get("body")
    if isinstance(body, str) and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    """Copy MathJax into _static/mathjax/ of an HTML build that uses a local mathjax_path."""
    path = app.config.mathjax_path
    if exception is not None or app.builder.format != "html" or not path or is_remote(path):
        return
    if not path.startswith("mathjax/"):
        return  # a local MathJax of the book's own, in html_static_path
    source = mathjax_source()
    target = Path(app.outdir) / "_static" / "mathjax"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / path.removeprefix("mathjax/"), target)
    for name in MATHJAX_DIRS:
        shutil.copytree(source / name, target / name, dirs_exist_ok=True)
    for name in ("LICENSE",):
        licence = source.parent / name
        if licence.is_file():
            shutil.copy2(licence, target / name)


FRONT_PAGE = """<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<title>{title}</title>{icon}
<meta http-equiv="Refresh" content="0; url={first}">
</head>
<body><p><a href="{first}">{title}</a></p></body>
</html>
"""


def write_front_page(app: Sphinx, exception: Exception | None) -> None:
    """index.html: a page that sends the browser on to the book's first page."""
    root = app.config.root_doc
    if exception is not None or app.builder.format != "html" or root == "index":
        return
    first = f"{root}/index.html" if app.builder.name == "dirhtml" else f"{root}.html"
    favicon = app.config.html_favicon
    icon = (f'\n<link rel="icon" href="_static/{Path(favicon).name}">'
            if favicon and not is_remote(favicon) else "")
    title = html.escape(app.config.html_title or app.config.project)
    (Path(app.outdir) / "index.html").write_text(
        FRONT_PAGE.format(language=app.config.language or "en", title=title, icon=icon,
                          first=first), encoding="utf-8")


def setup(app: Sphinx) -> dict:
    # Our setup runs after sphinx_thebe's (Jupyter Book lists its default extensions first).
    remove_thebe(app)
    app.connect("config-inited", check_config)
    # After every other handler (priority 500 by default), so that it sees all their assets.
    app.connect("html-page-context", check_assets, priority=900)
    app.connect("html-page-context", fix_aria_roles)
    app.connect("build-finished", copy_mathjax)
    # Before sphinx-external-toc's handler (500), which then leaves the page alone.
    app.connect("build-finished", write_front_page, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
