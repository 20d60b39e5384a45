"""What this app tells the apps built on it.

``claims_edited`` is sent inside the transaction that changed the citations backing some
claims (a new citation linked, a citation's translation edited), with ``user`` and
``claim_ids``. Published documents show each claim's citations, so the review workflow
(``publishing``, above this app) receives it and puts the records showing those claims
into a change set; its receivers return the change sets they used.
"""

from django.dispatch import Signal

claims_edited = Signal()
