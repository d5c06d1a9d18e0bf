"""Write _config.yml with notebook execution off: the configuration of `make test`'s build.

    python scripts/book_config.py _build/config-no-execute.yml

`make test` has nbval re-execute every chapter and compare each output with the committed
one; the book it then checks in the browser is built from those committed, just-verified
outputs, so no notebook runs twice. Everything else is _config.yml as it stands. Jupyter Book
looks for local extensions relative to the configuration file, so their paths become absolute.
"""

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def main(out):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    extensions = config["sphinx"]["local_extensions"]
    for name, path in extensions.items():
        extensions[name] = str((ROOT / path).resolve())
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(config, sort_keys=False))


if __name__ == "__main__":
    main(sys.argv[1])
