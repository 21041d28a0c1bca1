"""The ports: every interface the services need, the values that cross them and their errors.

Services depend on these only; adapters implement them. The arrows point one way:
domain ← ports ← services ← runtime ← functions, and adapters → ports and domain
(tests/domain/test_import_direction.py says so).
"""
