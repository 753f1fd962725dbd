"""Electronic digital signatures (EDS / ЭЦП / ЭЦҚ): XML-DSig, certificate chain, revocation, IIN/BIN."""
