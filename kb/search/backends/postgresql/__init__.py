"""The PostgreSQL backend: the knowledge base and its search index in tables (``sql`` describes them).

``writer`` (used by ``kb.build``, the only writer) writes a generation and publishes it in one transaction;
``knowledge.PostgresKnowledgeBase`` is the read API, ``engine.PostgresSearchEngine`` the ``SearchBackend``,
``reader`` the arrays and posting lists they read. Readers need only the database (a primary or a streaming
replica): no files are shared between the build and the web processes.
"""
