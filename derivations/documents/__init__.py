"""One module per seed document: ``doc000`` ... ``doc003``, each with ``claims()``."""
