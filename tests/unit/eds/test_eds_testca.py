"""The test CA issues what NCA issues, revokes, answers OCSP, and survives a save and a load."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.clock import FixedClock
from chalicelib.eds import der
from chalicelib.eds.certificates import extended_key_usages, holder, holding, key_purposes
from chalicelib.eds.crl import load_crl
from chalicelib.eds.model import Holder, KeyPurpose
from chalicelib.eds.ocsp import build_ocsp_request, read_ocsp_response, verify_ocsp_answer
from infra.local.signing import sign_xml
from infra.local.testca import DEMO_PEOPLE, TestCA, iin_check_digit
from tests.pki import PKI_NOW, make_verifier


def test_an_individuals_certificates_look_like_ncas(pki_people):
    parent = pki_people["parent"]
    auth, sign = parent.auth.certificate, parent.sign.certificate

    subject = sign.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "АХМЕТОВА АЙГҮЛ"
    assert subject.get_attributes_for_oid(NameOID.SURNAME)[0].value == "АХМЕТОВА"
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "IIN900512401234"
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "KZ"
    assert extended_key_usages(auth) == {"1.3.6.1.5.5.7.3.2", "1.2.398.3.3.4.1.1"}
    assert extended_key_usages(sign) == {"1.3.6.1.5.5.7.3.4", "1.2.398.3.3.4.1.1"}
    auth_usage = auth.extensions.get_extension_for_class(x509.KeyUsage).value
    sign_usage = sign.extensions.get_extension_for_class(x509.KeyUsage).value
    assert auth_usage.digital_signature and auth_usage.key_encipherment and not auth_usage.content_commitment
    assert sign_usage.digital_signature and sign_usage.content_commitment and not sign_usage.key_encipherment
    assert sign.public_key().key_size == 2048
    assert holder(sign) == Holder.INDIVIDUAL


def test_an_organisations_certificate_carries_the_bin_and_the_role(pki_people):
    head = pki_people["kindergarten_head"].sign.certificate

    assert head.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == "BIN120540012342"
    assert head.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "«Балапан» балабақшасы"
    assert "1.2.398.3.3.4.1.2.1" in extended_key_usages(head)
    assert holder(head) == Holder.ORGANISATION
    assert holding(head).iin == "750830403217"
    assert key_purposes(head) == {KeyPurpose.SIGN}


def test_the_crl_and_ocsp_addresses_come_from_the_arguments():
    ca = TestCA(now=PKI_NOW, crl_url="http://127.0.0.1:9/crl/x.crl", ocsp_url="http://127.0.0.1:9/ocsp")
    credential = ca.issue_individual(
        iin="900512401234", surname="АХМЕТОВА", given_name="АЙГҮЛ", purpose=KeyPurpose.AUTH
    )
    extensions = credential.certificate.extensions

    points = extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    access = extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert points[0].full_name[0].value == "http://127.0.0.1:9/crl/x.crl"
    assert access[0].access_method == AuthorityInformationAccessOID.OCSP
    assert access[0].access_location.value == "http://127.0.0.1:9/ocsp"


def test_demo_iins_and_bins_pass_the_checksum():
    for person in DEMO_PEOPLE:
        for number in filter(None, (person.iin, person.bin)):
            assert iin_check_digit(number[:11]) == int(number[11]), number


def test_the_crl_lists_revoked_certificates_and_is_signed_by_the_issuing_ca():
    ca = TestCA(now=PKI_NOW)
    kept = ca.issue_individual(iin="900512401234", surname="А", given_name="Б", purpose=KeyPurpose.SIGN)
    gone = ca.issue_individual(
        iin="871103304560", surname="В", given_name="Г", purpose=KeyPurpose.SIGN, label="gone"
    )
    ca.revoke(gone, reason=x509.ReasonFlags.key_compromise)

    crl = load_crl(ca.publish())

    assert crl.is_signature_valid(ca.issuing.public_key())
    assert crl.issuer == ca.issuing.subject
    assert crl.get_revoked_certificate_by_serial_number(gone.certificate.serial_number) is not None
    assert crl.get_revoked_certificate_by_serial_number(kept.certificate.serial_number) is None
    assert crl.next_update_utc == PKI_NOW + timedelta(days=1)


def test_the_ocsp_responder_answers_good_revoked_and_unknown():
    ca = TestCA(now=PKI_NOW)
    good = ca.issue_individual(iin="900512401234", surname="А", given_name="Б", purpose=KeyPurpose.SIGN)
    bad = ca.issue_individual(
        iin="871103304560", surname="В", given_name="Г", purpose=KeyPurpose.SIGN, label="bad"
    )
    ca.revoke(bad, at=PKI_NOW - timedelta(days=1))
    stranger = TestCA(now=PKI_NOW, seed="testca-ocsp-other").issue_individual(
        iin="930220407896", surname="Д", given_name="Е", purpose=KeyPurpose.SIGN
    )

    def ask(credential) -> str:
        answer = read_ocsp_response(ca.ocsp_respond(build_ocsp_request(credential.certificate, ca.issuing)))
        if answer.status != "unknown":
            verify_ocsp_answer(answer, credential.certificate, ca.issuing, now=PKI_NOW)
        return answer.status

    assert ask(good) == "good"
    assert ask(bad) == "revoked"
    assert ask(stranger) == "unknown"


def test_a_saved_ca_loads_with_its_people_and_revocations(tmp_path):
    # given a CA with the demo people and one revocation, saved
    ca = TestCA(now=PKI_NOW)
    people = ca.issue_demo_people()
    ca.revoke(people["other_parent"].sign, at=PKI_NOW - timedelta(days=1))
    ca.save(tmp_path / "ca")

    # when loaded again
    loaded = TestCA.load(tmp_path / "ca", now=PKI_NOW)

    # then its people still sign and verify, and the revocation is still published
    parent = loaded.credential("demo-parent-sign")
    assert parent.certificate == people["parent"].sign.certificate
    assert loaded.is_revoked(people["other_parent"].sign)
    verifier = make_verifier(loaded, FixedClock(PKI_NOW))
    assert verifier.verify(sign_xml("<a>1</a>", parent), purpose=KeyPurpose.SIGN).signer.iin == "900512401234"
    assert (tmp_path / "ca" / "trusted_roots.pem").read_bytes() == loaded.root_pem()
    assert (tmp_path / "ca" / "intermediates.pem").read_bytes() == loaded.issuing_pem()


def test_load_or_create_keeps_what_it_made(tmp_path):
    first = TestCA.load_or_create(tmp_path / "ca", now=PKI_NOW)
    second = TestCA.load_or_create(tmp_path / "ca")

    assert second.root == first.root
    assert {c.label for c in second.credentials} == {c.label for c in first.credentials}
    assert len(second.credentials) == 2 * len(DEMO_PEOPLE)


def test_issuing_after_a_load_gives_new_serials(tmp_path):
    ca = TestCA(now=PKI_NOW)
    before = ca.issue_individual(iin="900512401234", surname="А", given_name="Б", purpose=KeyPurpose.SIGN)
    ca.save(tmp_path / "ca")

    after = TestCA.load(tmp_path / "ca").issue_individual(
        iin="900512401234", surname="А", given_name="Б", purpose=KeyPurpose.AUTH
    )

    assert after.certificate.serial_number != before.certificate.serial_number


@pytest.mark.parametrize("slug", [p.slug for p in DEMO_PEOPLE])
def test_the_der_reader_agrees_with_cryptography(pki_people, slug):
    certificate = pki_people[slug].auth.certificate

    values = der.extension_values(certificate.tbs_certificate_bytes)

    assert set(values) == {e.oid.dotted_string for e in certificate.extensions}
    eku = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert der.oid_sequence(values["2.5.29.37"]) == [oid.dotted_string for oid in eku]
    assert ExtendedKeyUsageOID.CLIENT_AUTH in eku


@given(st.binary(max_size=64))
def test_the_der_reader_never_crashes_on_garbage(data):
    with contextlib.suppress(der.DerError):
        der.extension_values(data)
