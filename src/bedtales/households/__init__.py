"""Households: who they are, what they may change, and how their site lets them in."""
