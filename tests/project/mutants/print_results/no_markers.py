"""Draws plain lines without markers: a single epoch shows nothing."""

EDITS = [('"b-o", label=', '"b-", label='), ('"r-o", label=', '"r-", label=')]
