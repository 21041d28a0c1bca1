"""The DynamoDB adapter: the data table (keys documented beside it in template.yaml, made by
`keys`), its items (`items`), one table per concern sharing one `Table` (`plans`, `actuals` with
the commit protocol of `state`, `runs`, `sheets`), the stores the ports are given (`stores`), and
the notice nonces in the idempotency table (`nonces`).
"""
