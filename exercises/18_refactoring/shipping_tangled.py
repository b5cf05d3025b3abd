"""Shipping costs: the function every checkout calls, right and tangled.

``shipping_cost(weight, zone, express, member)`` returns the cost of
sending one parcel, in cents. ``weight`` is in grams (a whole number), and
``zone`` is ``"domestic"``, ``"europe"`` or ``"world"``. ``express`` asks
for next-day delivery, which is not sold to ``"world"``; a loyalty
``member`` gets 10 % off (rounded down) when the cost is 10.00 or more.
Invalid input raises ``ValueError``.
"""


def shipping_cost(weight: int, zone: str, express: bool, member: bool) -> int:
    """Return the cost of shipping one parcel, in cents."""
    if weight > 0:
        if zone == "domestic":
            if weight <= 1000:
                cost = 450
            elif weight <= 5000:
                cost = 750
            elif weight <= 20000:
                cost = 1450
            else:
                raise ValueError(f"{weight} g is over the 20 kg limit")
            if express:
                cost = cost + 550
            if member:
                if cost >= 1000:
                    cost = cost - cost // 10
            return cost
        elif zone == "europe":
            if weight <= 1000:
                cost = 1295
            elif weight <= 5000:
                cost = 1995
            elif weight <= 20000:
                cost = 3495
            else:
                raise ValueError(f"{weight} g is over the 20 kg limit")
            if express:
                cost = cost + 1500
            if member:
                if cost >= 1000:
                    cost = cost - cost // 10
            return cost
        elif zone == "world":
            if weight <= 1000:
                cost = 2495
            elif weight <= 5000:
                cost = 3995
            elif weight <= 20000:
                cost = 6995
            else:
                raise ValueError(f"{weight} g is over the 20 kg limit")
            if express:
                raise ValueError("no express delivery to 'world'")
            if member:
                if cost >= 1000:
                    cost = cost - cost // 10
            return cost
        else:
            raise ValueError(f"unknown zone {zone!r}")
    else:
        raise ValueError(f"weight must be positive, got {weight} g")
