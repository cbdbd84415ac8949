"""Marketplace pages: the shop (buyers), the order desk and selling terms (producers), stock (shops)."""
