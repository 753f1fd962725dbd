"""Electronic digital signatures (EDS / ЭЦП / ЭЦҚ): XML-DSig, certificate chain, revocation, IIN/BIN.

Entry points (import the module you need; this package imports nothing, to keep cold starts cheap):

- ``chalicelib.eds.verify``: :class:`SignatureVerifier` (the seven checks) and ``default_verifier(clock)``;
- ``chalicelib.eds.model``: what a verification returns (``VerifiedDocument``, ``Signer``) and how it
  refuses (``SignatureRefused`` naming a ``Check``);
- ``chalicelib.eds.crl``: CRL sources and ``refresh_revocation_data`` (run on a schedule);
- ``chalicelib.eds.xmlinput``: ``decode_base64_document`` for clients that post the signed XML base64-encoded.
"""
