"""Staff see one person's whole story on one page; every look is written to the audit trail."""
