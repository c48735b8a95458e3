"""python-frontmatter's `load`/`loads`, enough for the agent server's skill files (YAML between `---` lines)."""
import yaml


class Post:
    def __init__(self, content, metadata):
        self.content = content
        self.metadata = metadata

    def get(self, key, default=None):
        return self.metadata.get(key, default)

    def __getitem__(self, key):
        return self.metadata[key]

    def keys(self):
        return self.metadata.keys()


def loads(text):
    if text.startswith("---"):
        parts = text.split("\n---", 1)
        if len(parts) == 2:
            head = parts[0][3:]
            body = parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
            return Post(body, yaml.safe_load(head) or {})
    return Post(text, {})


def load(fd):
    text = fd.read() if hasattr(fd, "read") else open(fd, encoding="utf-8").read()
    return loads(text.decode() if isinstance(text, bytes) else text)
