"""Demo data (``flask demo``): a company with two clinics, a user of every type, insurances, referring
physicians and patients with cases; plugins add their own rows through ``caseload_demo_data``."""
from core.demo.seed import DEMO_PASSWORD, seed_demo

__all__ = ["DEMO_PASSWORD", "seed_demo"]
