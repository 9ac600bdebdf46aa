"""Operations: every write to the records, each with its Revision, in the caller's transaction."""
