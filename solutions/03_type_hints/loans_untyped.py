"""Loans of a small lending library: catalogue records in, reminders out."""

from datetime import date, timedelta

LOAN_DAYS = 21


class Book:
    """A book of the catalogue. Books never change once loaded."""

    def __init__(self, isbn, title, author, year=None):
        self.isbn = isbn
        self.title = title
        self.author = author
        self.year = year  # None when the catalogue does not know it

    def __repr__(self):
        return (
            f"Book(isbn={self.isbn!r}, title={self.title!r}, "
            f"author={self.author!r}, year={self.year!r})"
        )

    def __eq__(self, other):
        if not isinstance(other, Book):
            return NotImplemented
        return (self.isbn, self.title, self.author, self.year) == (
            other.isbn,
            other.title,
            other.author,
            other.year,
        )


class Loan:
    """A book lent to a member; returned is None until it comes back."""

    def __init__(self, book, member, borrowed, returned=None):
        self.book = book
        self.member = member
        self.borrowed = borrowed
        self.returned = returned

    def __repr__(self):
        return (
            f"Loan(book={self.book!r}, member={self.member!r}, "
            f"borrowed={self.borrowed!r}, returned={self.returned!r})"
        )

    def __eq__(self, other):
        if not isinstance(other, Loan):
            return NotImplemented
        return (self.book, self.member, self.borrowed, self.returned) == (
            other.book,
            other.member,
            other.borrowed,
            other.returned,
        )

    def due(self):
        """The day the book must be back."""
        return self.borrowed + timedelta(days=LOAN_DAYS)


def parse_book(record):
    """Build a Book from one record of the catalogue's JSON export.

    A record has the keys "isbn", "title" and "author" (strings) and
    "year" (an int, or None when unknown).
    """
    return Book(
        record["isbn"],
        record["title"].strip(),
        record["author"].strip(),
        record["year"],
    )


def first(items, predicate):
    """Return the first item for which predicate(item) is true, or None."""
    for item in items:
        if predicate(item):
            return item
    return None


def find_book(books, isbn):
    """Return the book with this ISBN, or None."""
    return first(books, lambda book: book.isbn == isbn)


def lend(books, isbn, member, day):
    """Lend the book with this ISBN to a member on a day."""
    book = find_book(books, isbn)
    return Loan(book, member, day)


def describe(book):
    """One line about a book: title, author, and the year when known."""
    if book.year is None:
        return f"{book.title} by {book.author}"
    return f"{book.title} by {book.author} ({book.year})"


def overdue(loans, today=None):
    """Loans not returned whose due day is before today (default: today)."""
    if today is None:
        today = date.today()
    return [
        loan for loan in loans if loan.returned is None and loan.due() < today
    ]


def send_reminders(loans, notifier, today=None):
    """Send a reminder for each overdue loan; return how many were sent.

    The notifier is anything with a method send(recipient, message): an
    e-mail gateway, an SMS client, a fake that records messages in tests.
    """
    late = overdue(loans, today)
    for loan in late:
        notifier.send(
            loan.member,
            f"Please return {describe(loan.book)}: it was due on "
            f"{loan.due().isoformat()}.",
        )
    return len(late)
