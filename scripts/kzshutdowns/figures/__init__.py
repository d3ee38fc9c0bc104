"""Figures and maps of the paper: one module per figure, a shared style and one way of saving.

Each figure module offers a plotting function that draws into a given Matplotlib Axes (or a new
one when ``ax`` is None) and returns it, and a thin CLI (``python -m kzshutdowns.figures.<name>``)
that reads the input tables, applies the paper style and writes SVG, PDF and PNG through
:func:`kzshutdowns.figures.save.save_figure`.
"""
