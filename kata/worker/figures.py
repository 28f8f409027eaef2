"""Matplotlib figures mirrored across the boundary, as the data the tests inspect.

Before a call the judge describes its open pyplot figures (and any figure it passes); the worker
rebuilds them, so `plt.gcf()`, `plt.subplot(…)` and a Figure argument behave as in one process.
After the call the worker describes every figure again — the ones it changed, made or returned —
and the judge redraws them into its own figures, keeping the Axes objects it already had. What is
described: the size and suptitle; per Axes its grid place, title, axis labels, limits, scales,
ticks, images (pixels, colour map, limits), lines (data, label, colour, style), texts, legend
(texts and which line each entry stands for) and spines. Nothing else is carried.
"""

import sys

import numpy as np

from kata.judging.limits import MAX_ARTISTS, MAX_AXES

TITLE_LOCATIONS = ("left", "center", "right")


class Registry:
    """Figures known to both sides by a key (judge keys "j0", "j1"…; worker keys "w0"…)."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.by_key = {}
        self.key_of = {}

    def key(self, figure) -> str:
        if id(figure) not in self.key_of:
            self.add(f"{self.prefix}{len(self.by_key)}", figure)
        return self.key_of[id(figure)]

    def add(self, key, figure) -> None:
        self.by_key[key] = figure
        self.key_of[id(figure)] = key

    def figure(self, key):
        if key not in self.by_key:
            from kata.worker.codec import CodecError

            raise CodecError(f"a reference to a figure that was not mirrored ({key!r})")
        return self.by_key[key]


def pyplot_loaded() -> bool:
    return "matplotlib.pyplot" in sys.modules


def managed() -> dict:
    """{number: Figure} of the figures pyplot manages, and the active one's number (or None)."""
    from matplotlib._pylab_helpers import Gcf

    figures = {num: manager.canvas.figure for num, manager in Gcf.figs.items()}
    active = Gcf.get_active()
    return figures, (active.num if active is not None else None)


# --------------------------------------------------------------------------- describing


def describe(figure, encode) -> dict:
    """The data of a figure; `encode` turns arrays into nodes."""
    # One past each bound is described, so that the judge refuses a flood without its cost here.
    return {"size": [float(v) for v in figure.get_size_inches()], "suptitle": figure.get_suptitle(),
            "axes": [_describe_axes(ax, encode) for ax in figure.axes[:MAX_AXES + 1]]}


def _describe_axes(ax, encode) -> dict:
    from matplotlib.colors import to_hex

    spec = ax.get_subplotspec()
    legend = ax.get_legend()
    lines = list(ax.get_lines())[:MAX_ARTISTS + 1]
    return {
        "geometry": [int(v) for v in spec.get_geometry()] if spec is not None else None,
        "position": [float(v) for v in ax.get_position().bounds],
        "title": {loc: ax.get_title(loc) for loc in TITLE_LOCATIONS},
        "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
        "xlim": [float(v) for v in ax.get_xlim()], "ylim": [float(v) for v in ax.get_ylim()],
        "xscale": ax.get_xscale(), "yscale": ax.get_yscale(), "axis_on": bool(ax.axison),
        "xticks": encode(np.asarray(ax.get_xticks(), float)), "yticks": encode(np.asarray(ax.get_yticks(), float)),
        "xticklabels": [t.get_text() for t in ax.get_xticklabels()],
        "yticklabels": [t.get_text() for t in ax.get_yticklabels()],
        "images": [{"array": encode(np.asarray(image.get_array())), "cmap": image.get_cmap().name,
                    "clim": [float(v) for v in image.get_clim()], "extent": [float(v) for v in image.get_extent()]}
                   for image in ax.get_images()[:MAX_ARTISTS + 1]],
        "lines": [{"xy": encode(np.asarray(line.get_xydata(), float)), "label": str(line.get_label()),
                   "color": to_hex(line.get_color(), keep_alpha=True), "linestyle": str(line.get_linestyle()),
                   "linewidth": float(line.get_linewidth()), "marker": str(line.get_marker())}
                  for line in lines],
        "texts": [{"x": float(t.get_position()[0]), "y": float(t.get_position()[1]), "text": t.get_text()}
                  for t in list(ax.texts)[:MAX_ARTISTS + 1]],
        "legend": None if legend is None else {
            "texts": [t.get_text() for t in legend.get_texts()],
            "lines": [lines.index(h) if h in lines else -1 for h in getattr(legend, "_kata_handles", [])]},
        "spines": {name: [bool(spine.get_visible()), to_hex(spine.get_edgecolor(), keep_alpha=True)]
                   for name, spine in ax.spines.items()},
        "others": {"collections": len(ax.collections), "patches": len(ax.patches)},
    }


def remember_legend_handles() -> None:
    """Worker side: let every Legend keep the artists it was made for (matplotlib keeps only copies),
    so a legend given only labels (`plt.legend(["train", "test"])`) still says which line is which."""
    from matplotlib.legend import Legend

    if getattr(Legend.__init__, "_kata_wrapped", False):
        return
    original = Legend.__init__

    def init(self, parent, handles, labels, *args, **kwargs):
        handles = list(handles)
        original(self, parent, handles, labels, *args, **kwargs)
        self._kata_handles = handles

    init._kata_wrapped = True
    Legend.__init__ = init


# --------------------------------------------------------------------------- redrawing


def apply(figure, desc: dict, array) -> None:
    """Redraw `figure` from `desc`, keeping the Axes it already has where they sit in the same place.

    `array(node)` turns an array node back into a NumPy array.
    """
    _check(isinstance(desc, dict) and isinstance(desc.get("axes"), list), "malformed figure description")
    _check(len(desc["axes"]) <= MAX_AXES, f"a figure with more than {MAX_AXES} Axes")
    for ax_desc in desc["axes"]:
        _check(isinstance(ax_desc, dict), "malformed Axes description")
        for kind in ("images", "lines", "texts"):
            _check(isinstance(ax_desc.get(kind, []), list) and len(ax_desc.get(kind, [])) <= MAX_ARTISTS,
                   f"an Axes with more than {MAX_ARTISTS} {kind}")
    size = desc.get("size")
    if isinstance(size, list) and len(size) == 2 and all(isinstance(v, (int, float)) and 0 < v < 1000 for v in size):
        figure.set_size_inches(size)
    suptitle = str(desc.get("suptitle") or "")
    if suptitle or figure.get_suptitle():
        figure.suptitle(suptitle)
    kept = []
    for ax, ax_desc in zip(figure.axes, desc["axes"]):
        if not _same_place(ax, ax_desc):
            break
        kept.append(ax)
    for ax in figure.axes[len(kept):]:
        figure.delaxes(ax)
    for ax_desc in desc["axes"][len(kept):]:
        kept.append(_new_axes(figure, ax_desc))
    for ax, ax_desc in zip(kept, desc["axes"]):
        ax.cla()
        _redraw(ax, ax_desc, array)


def _check(condition, message):
    if not condition:
        from kata.worker.codec import CodecError

        raise CodecError(message)


def _geometry(ax_desc):
    geometry = ax_desc.get("geometry")
    if geometry is None:
        return None
    _check(isinstance(geometry, list) and len(geometry) == 4 and all(isinstance(v, int) for v in geometry)
           and 0 < geometry[0] <= 100 and 0 < geometry[1] <= 100 and 0 <= geometry[2] <= geometry[3]
           < geometry[0] * geometry[1], f"malformed subplot geometry {geometry!r}")
    return geometry


def _same_place(ax, ax_desc) -> bool:
    spec = ax.get_subplotspec()
    geometry = _geometry(ax_desc)
    return (list(spec.get_geometry()) if spec is not None else None) == geometry


def _new_axes(figure, ax_desc):
    geometry = _geometry(ax_desc)
    if geometry is not None:
        rows, cols, first, last = geometry
        where = first + 1 if first == last else (first + 1, last + 1)
        return figure.add_subplot(rows, cols, where)
    position = ax_desc.get("position")
    _check(isinstance(position, list) and len(position) == 4, "malformed axes position")
    return figure.add_axes([float(v) for v in position])


def _text(value) -> str:
    return str(value)[:500] if value is not None else ""


def _redraw(ax, d: dict, array) -> None:
    lines = []
    for image in d.get("images", []):
        pixels = array(image["array"])
        clim = image.get("clim") or [None, None]
        ax.imshow(pixels, cmap=str(image.get("cmap", "viridis")), vmin=clim[0], vmax=clim[1],
                  extent=image.get("extent"))
    for line in d.get("lines", []):
        xy = array(line["xy"])
        _check(xy.ndim == 2 and xy.shape[1] == 2, "malformed line data")
        lines += ax.plot(xy[:, 0], xy[:, 1], color=line.get("color"), linestyle=line.get("linestyle", "-"),
                         linewidth=line.get("linewidth", 1.5), marker=_marker(line.get("marker")),
                         label=_text(line.get("label")))
    for text in d.get("texts", []):
        ax.text(text.get("x", 0), text.get("y", 0), _text(text.get("text")))
    for loc in TITLE_LOCATIONS:
        title = _text(d.get("title", {}).get(loc))
        if title:
            ax.set_title(title, loc=loc)
    ax.set_xlabel(_text(d.get("xlabel")))
    ax.set_ylabel(_text(d.get("ylabel")))
    for axis in ("x", "y"):
        scale = d.get(f"{axis}scale")
        if scale in ("linear", "log", "symlog", "logit"):
            getattr(ax, f"set_{axis}scale")(scale)
        ticks = d.get(f"{axis}ticks")
        if ticks is not None:
            values = array(ticks)
            labels = d.get(f"{axis}ticklabels") or None
            getattr(ax, f"set_{axis}ticks")(values, labels if labels and len(labels) == len(values) else None)
        limits = d.get(f"{axis}lim")
        if isinstance(limits, list) and len(limits) == 2:
            getattr(ax, f"set_{axis}lim")(*limits)
    if not d.get("axis_on", True):
        ax.set_axis_off()
    legend = d.get("legend")
    if legend is not None:
        texts = [_text(t) for t in legend.get("texts", [])]
        chosen = [lines[i] if isinstance(i, int) and 0 <= i < len(lines) else None for i in legend.get("lines", [])]
        if len(chosen) == len(texts) and all(chosen):
            ax.legend(chosen, texts)
        elif texts:
            ax.legend(lines[:len(texts)], texts) if len(lines) >= len(texts) else ax.legend(texts)
    for name, (visible, colour) in (d.get("spines") or {}).items():
        if name in ax.spines:
            ax.spines[name].set_visible(bool(visible))
            ax.spines[name].set_edgecolor(colour)


def _marker(marker):
    """A marker by name, from matplotlib's own list (a "$…$" marker would be parsed as mathtext)."""
    from matplotlib.markers import MarkerStyle

    if marker in (None, "None", "none", ""):
        return None
    _check(isinstance(marker, str) and marker in MarkerStyle.markers, f"an unknown marker {str(marker)[:20]!r}")
    return marker
