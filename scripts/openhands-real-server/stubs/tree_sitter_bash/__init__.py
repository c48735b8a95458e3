"""See tree_sitter/__init__.py."""


def language():
    return None
