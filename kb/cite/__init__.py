"""Citing: citation styles (``citation``), the citable-item resolver (``items``), report export (``export``)."""
