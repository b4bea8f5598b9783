"""Inputs: each turns what a user has (a Markdown list, a .bib file) into source-neutral `Query`s.

One module per input. The resolver never sees an input's items: it gets Queries, and hands back Works
that carry each query's `origin` (the input's own item) for the input's side — the list's audit and
discrepancies (`markdown`), the rewriting of a .bib entry in place (`bibfile`).
"""
