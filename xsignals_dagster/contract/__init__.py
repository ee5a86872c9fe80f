"""The bottom layer: the landing sources, the identifier normal forms, every warehouse table and
the vocabularies the other packages share. It imports nothing of the project's."""
