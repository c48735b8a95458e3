"""tree-sitter is not in the pip mirror. This parser reports every input as unparsed (`has_error`), which
makes the terminal tool run a command as one statement, as upstream does on a parse failure."""


class Node:
    has_error = True
    named_children: list = []
    children: list = []
    type = "ERROR"
    start_byte = 0
    end_byte = 0


class Tree:
    def __init__(self, source: bytes):
        self.root_node = Node()
        self.root_node.end_byte = len(source)


class Language:
    def __init__(self, *args, **kwargs):
        pass


class Parser:
    def __init__(self, *args, **kwargs):
        pass

    def parse(self, source: bytes, *args, **kwargs) -> Tree:
        return Tree(source)
