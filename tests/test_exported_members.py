"""Is the public face of the package exactly what ``__all__`` says?"""

import autograder


def test_all_is_sorted() -> None:
    assert list(autograder.__all__) == sorted(autograder.__all__)


def test_all_lists_every_public_name() -> None:
    public = {
        name
        for name, value in vars(autograder).items()
        if not name.startswith("_") and not isinstance(value, type(autograder))
    }
    public.discard("logging")
    assert public == set(autograder.__all__)
