"""Funds transfers, charged to a card through a payment gateway."""

from typing import Protocol

LARGE_TRANSFER = 1_000_000
"""Cents from which a transfer is flagged for review (10 000.00)."""


class Gateway(Protocol):
    """What `transfer` needs from a payment gateway."""

    def charge(self, card_number: str, amount: int) -> str:
        """Charge `amount` cents to the card; return the transaction id."""


class TransferError(Exception):
    """A transfer could not be made."""


def transfer(
    gateway: Gateway, card_number: str, account: str, amount: int
) -> str:
    """Charge `amount` cents to the card and credit `account`.

    Returns:
        The gateway's transaction id.

    Raises:
        TransferError: The gateway could not be reached.
    """
    print(f"Charging {amount} cents to card {card_number} for {account}")
    if amount >= LARGE_TRANSFER:
        print(f"WARNING: large transfer of {amount} cents to {account}")
    try:
        transaction = gateway.charge(card_number, amount)
    except ConnectionError as error:
        print(f"ERROR: charging card {card_number} failed: {error}")
        raise TransferError(f"could not charge card {card_number}") from error
    print(f"Transferred {amount} cents to {account}: {transaction}")
    return transaction
