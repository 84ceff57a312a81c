"""One package per AWS service; `registry` lists them and how requests find them."""
