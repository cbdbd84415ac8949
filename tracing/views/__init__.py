"""Pages of producers, products and batches: public (public.py), producers' staff (producer/, catalogue.py);
the officials' pages are in oversight. Thin: forms parse, services write, querysets decide what each may see."""
