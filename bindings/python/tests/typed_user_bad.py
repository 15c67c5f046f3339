"""Code the stubs must reject: mypy reports an error on each line below."""

from callstate import Engine

Engine(mode="lenient")
Engine().apply(42)
phase: int = Engine().phase_of("a")
