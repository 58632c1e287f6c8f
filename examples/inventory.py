"""A small inventory module: open it in your editor to try lsp-complete."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Item:
    name: str
    price: float
    weight: float
    quantity: int


def total_price(items: list[Item]) -> float:
    return sum(item.price * item.quantity for item in items)


def total_weight(items: list[Item]) -> float:
    return sum(item.weight * item.quantity for item in items)


def heaviest(items: list[Item]) -> Item:
    return max(items, key=lambda item: item.weight)


def cheapest(items: list[Item]) -> Item:
    return min(items, key=lambda item: item.
