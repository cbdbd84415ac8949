"""Pages of producers, products and batches: public (public.py), producers' staff (producer/, catalogue.py),
officials (official.py). Thin: forms parse, services write, querysets decide what each person may see."""
