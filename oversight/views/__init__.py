"""Officials' pages (oversight) and the public participants' list with its open data."""
