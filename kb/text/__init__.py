"""Text primitives defined once: length-preserving normalisation and the CJK class (``normalize``), the one
jieba segmenter (``segment``), Chinese numerals (``numerals``) and units (``units``)."""
