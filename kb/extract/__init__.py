"""Extraction: pure functions from a document's text to its knowledge — the outline grammar (``outline``),
places, measures, targets, references, taxonomy and links; ``pipeline.analyse`` composes them."""
