"""The store: the build (``build``), index generations and ``CURRENT`` (``generations``), the JSON codec
(``codec``) and the read API (``knowledge.KnowledgeBase``). Import the submodules directly."""
