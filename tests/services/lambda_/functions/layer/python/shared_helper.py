"""A module shipped in a layer (python/ is on sys.path, as in AWS)."""


def greet(name):
    return f"hello {name} from a layer"
