"""Views as evidence: the young person's and parents' views, their pictures, and what answers them."""
