"""PolicyKB knowledge-base core."""
