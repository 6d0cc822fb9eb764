"""Small pieces of SQL text shared by the orchestration code."""


def quote_identifier(identifier: str) -> str:
    """``identifier`` as a double-quoted SQL identifier (a ``"`` in it doubled)."""
    return '"' + identifier.replace('"', '""') + '"'
