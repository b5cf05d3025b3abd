"""Does every parse in the grading process take the one parse lock?"""

import ast
import threading

import pytest

from autograder._parse import PARSE_LOCK, parse_python


def test_a_parse_waits_while_another_thread_builds_a_tree() -> None:
    parsed = threading.Event()

    def parse() -> None:
        parse_python("x = 1")
        parsed.set()

    with PARSE_LOCK:
        thread = threading.Thread(target=parse)
        thread.start()
        assert not parsed.wait(0.2)
    assert parsed.wait(10)
    thread.join()


def test_it_parses_and_says_what_is_not_python() -> None:
    tree = parse_python("def f():\n    return 1\n")
    assert isinstance(tree.body[0], ast.FunctionDef)
    with pytest.raises(SyntaxError):
        parse_python("def f(:\n")
    assert not PARSE_LOCK.locked()
