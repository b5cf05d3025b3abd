"""Sales by customer and by region: a report that is right, and slow.

A customer is a tuple ``(customer_id, name, region)`` and an order is a
tuple ``(order_id, customer_id, amount_in_cents)``. ``make_data()`` builds
the data the grader profiles and times: 1 300 customers, 3 200 orders.
"""

import random

Customer = tuple[int, str, str]
Order = tuple[int, int, int]

REGIONS = ("north", "south", "east", "west")
NAMES = ("Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances")


def make_data(
    n_customers: int = 1300, n_orders: int = 3200, seed: int = 0
) -> tuple[list[Customer], list[Order]]:
    """Generate customers and orders: the same ones for the same seed."""
    rng = random.Random(seed)
    customers = [
        (1000 + i, f"{rng.choice(NAMES)} {i:04d}", rng.choice(REGIONS))
        for i in range(n_customers)
    ]
    orders = [
        (i, rng.choice(customers)[0], rng.randrange(100, 50_000))
        for i in range(n_orders)
    ]
    return customers, orders


def find_customer(customers: list[Customer], customer_id: int) -> Customer:
    """Return the customer with this id."""
    for customer in customers:
        if customer[0] == customer_id:
            return customer
    raise KeyError(customer_id)


def customer_totals(orders: list[Order], customer_id: int) -> tuple[int, int]:
    """Count one customer's orders and add up their amounts."""
    count = 0
    total = 0
    for order in orders:
        if order[1] == customer_id:
            count += 1
            total += order[2]
    return count, total


def format_money(cents: int) -> str:
    """Show cents as money: 123456 -> '1,234.56'."""
    return f"{cents // 100:,}.{cents % 100:02d}"


def format_row(name: str, region: str, count: int, total: int) -> str:
    """One line of the report."""
    return f"{name:<14}{region:<7}{count:>6}{format_money(total):>13}\n"


def build_report(customers: list[Customer], orders: list[Order]) -> str:
    """Return the report: customers by total (largest first), then regions."""
    buyer_ids: list[int] = []
    for order in orders:
        if order[1] not in buyer_ids:
            buyer_ids.append(order[1])
    rows = []
    for customer_id in buyer_ids:
        customer = find_customer(customers, customer_id)
        count, total = customer_totals(orders, customer_id)
        rows.append((total, customer[1], customer[2], count))
    rows.sort(key=lambda row: (-row[0], row[1]))
    report = "SALES BY CUSTOMER\n"
    report += f"{'customer':<14}{'region':<7}{'orders':>6}{'total':>13}\n"
    for total, name, region, count in rows:
        report += format_row(name, region, count, total)
    report += "SALES BY REGION\n"
    for region in sorted({row[2] for row in rows}):
        region_total = sum(row[0] for row in rows if row[2] == region)
        report += f"{region:<27}{format_money(region_total):>13}\n"
    grand_total = sum(row[0] for row in rows)
    report += f"{'all regions':<27}{format_money(grand_total):>13}\n"
    return report
