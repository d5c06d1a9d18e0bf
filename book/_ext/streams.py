"""Sphinx extension: the book shows printed output exactly as the notebook printed it.

With ``nb_merge_streams`` on, myst-nb joins a cell's stdout chunks into one block, but it
strips each chunk and adds a newline (myst_nb.core.utils.coalesce_streams). ipykernel may
flush one printed line in two chunks, so a line came out broken in two on the page. We join
the chunks as they are, as nbval does when it compares outputs, and then let myst-nb do the
rest (carriage returns, stderr after stdout) on text that is already whole.
"""

import myst_nb.core.render as render
from nbformat import NotebookNode

_myst_nb_coalesce = render.coalesce_streams


def coalesce_streams(outputs):
    """Join stream chunks with the same name, verbatim, then apply myst-nb's own merge."""
    joined, streams = [], {}
    for output in outputs or []:
        if output["output_type"] != "stream":
            joined.append(output)
        elif output["name"] in streams:
            streams[output["name"]]["text"] += output["text"]
        else:
            streams[output["name"]] = output = NotebookNode(output)  # ours to extend
            joined.append(output)
    return _myst_nb_coalesce(joined)


def setup(app):
    render.coalesce_streams = coalesce_streams
    return {"parallel_read_safe": True, "parallel_write_safe": True}
