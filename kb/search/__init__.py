"""Search: the jieba analyzers (``analysis``), the Whoosh schema and hits (``schema``), the query parser
(``query``), ranking, the numpy BM25F evaluator (``evaluate``), highlighting and the engine behind the
``SearchBackend`` seam (``engine``); every read of Whoosh internals is in ``kb.search.whoosh``."""
