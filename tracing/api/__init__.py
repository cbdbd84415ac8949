"""The tracing part of the REST API (/api/v1/): producers, certificates, production areas, products, batches."""
