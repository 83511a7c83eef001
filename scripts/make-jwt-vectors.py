#!/usr/bin/env python3
"""Writes Tests/CurfewTLSTests/Fixtures/jwt-vectors.json: a JWK set, an HMAC secret and compact JWS tokens.

The tokens are made with PyJWT + cryptography, an implementation independent of curfew's OpenSSL code, so the
Swift test checks curfew against someone else's signatures. Negative vectors cover the attacks a verifier must
refuse: tampering, `alg: none`, HS/RS key confusion, wrong-length ECDSA signatures, unknown `kid`, and keys of
the wrong type or curve. Run it again to regenerate (keys are fresh each time; the file is committed).

Each vector: {"name", "token", "verifier": "jwks" | "hmac", "expected": "valid" | "invalid" | "unknownKey"}.
"""
import base64
import hashlib
import hmac
import json
import os
import sys

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def jwk(algorithm_class, public_key, kid, alg=None):
    member = json.loads(algorithm_class.to_jwk(public_key))
    member["kid"] = kid
    member["use"] = "sig"
    if alg:
        member["alg"] = alg
    return member


def main() -> None:
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "Tests", "CurfewTLSTests", "Fixtures", "jwt-vectors.json")

    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_pinned = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # its JWK declares alg RS256
    p256 = ec.generate_private_key(ec.SECP256R1())
    p384 = ec.generate_private_key(ec.SECP384R1())
    ed = ed25519.Ed25519PrivateKey.generate()
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # not in the set
    hmac_secret = os.urandom(64)  # >= the largest digest, as RFC 7518 §3.2 asks

    keys = [
        jwk(RSAAlgorithm, rsa_key.public_key(), "rsa-1"),
        jwk(ECAlgorithm, p256.public_key(), "p256-1"),
        jwk(ECAlgorithm, p384.public_key(), "p384-1", alg="ES384"),
        jwk(OKPAlgorithm, ed.public_key(), "ed-1"),
        jwk(RSAAlgorithm, rsa_pinned.public_key(), "rsa-pinned", alg="RS256"),
        # Skipped by the parser: an encryption key, and a key type curfew does not know.
        {**jwk(RSAAlgorithm, stranger.public_key(), "enc-1"), "use": "enc"},
        {"kty": "oct", "kid": "oct-1", "k": b64url(b"symmetric keys never belong in a public set")},
    ]
    payload = {"sub": "alice", "iss": "https://idp.example", "aud": "curfew", "exp": 4102444800}

    vectors = []

    def add(name, token, expected, verifier="jwks"):
        vectors.append({"name": name, "token": token, "verifier": verifier, "expected": expected})

    signers = {
        "RS256": (rsa_key, "rsa-1"), "RS384": (rsa_key, "rsa-1"), "RS512": (rsa_key, "rsa-1"),
        "PS256": (rsa_key, "rsa-1"), "ES256": (p256, "p256-1"), "ES384": (p384, "p384-1"), "EdDSA": (ed, "ed-1"),
    }
    tokens = {}
    for alg, (key, kid) in signers.items():
        tokens[alg] = jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})
        add(f"{alg} valid", tokens[alg], "valid")
        add(f"{alg} valid without kid", jwt.encode(payload, key, algorithm=alg), "valid")
    for alg in ("HS256", "HS384", "HS512"):
        add(f"{alg} valid", jwt.encode(payload, hmac_secret, algorithm=alg), "valid", verifier="hmac")
    add("HS256 wrong secret", jwt.encode(payload, os.urandom(64), algorithm="HS256"),
        "invalid", verifier="hmac")
    add("RS256 against the HMAC verifier", tokens["RS256"], "invalid", verifier="hmac")

    # Tampering: a different payload under the original signature, and a flipped signature bit.
    header, _, signature = tokens["RS256"].split(".")
    add("RS256 tampered payload", f"{header}.{b64url_json({**payload, 'sub': 'mallory'})}.{signature}", "invalid")
    for alg in ("RS256", "ES256", "EdDSA"):
        header, body, signature = tokens[alg].split(".")
        raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
        raw[len(raw) // 2] ^= 0x01
        add(f"{alg} bad signature", f"{header}.{body}.{b64url(bytes(raw))}", "invalid")

    # alg none: unsigned, empty signature.
    add("alg none", f"{b64url_json({'alg': 'none', 'typ': 'JWT'})}.{b64url_json(payload)}.", "invalid")
    add("alg none with kid", f"{b64url_json({'alg': 'none', 'kid': 'rsa-1'})}.{b64url_json(payload)}.", "invalid")

    # HS/RS confusion: HS256 keyed with the RSA public key PEM (what a naive verifier would use as the secret).
    # PyJWT refuses to do this, so the HMAC is computed by hand.
    pem = rsa_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    for headers, label in (({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}, "with kid"), ({"alg": "HS256"}, "without kid")):
        signing_input = f"{b64url_json(headers)}.{b64url_json(payload)}"
        mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
        add(f"HS256 keyed with the RSA public key PEM {label}", f"{signing_input}.{b64url(mac)}", "invalid")

    # ES256 signatures must be raw r||s of exactly 64 bytes: DER (what OpenSSL emits) and truncations are invalid.
    header, body, signature = tokens["ES256"].split(".")
    raw = base64.urlsafe_b64decode(signature + "==")
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    add("ES256 DER-encoded signature", f"{header}.{body}.{b64url(encode_dss_signature(r, s))}", "invalid")
    add("ES256 63-byte signature", f"{header}.{body}.{b64url(raw[:63])}", "invalid")
    add("ES256 65-byte signature", f"{header}.{body}.{b64url(raw + bytes(1))}", "invalid")

    # Unknown kid: a valid signature by a key the set does not hold; the encryption-use key is not in the set either.
    add("RS256 unknown kid", jwt.encode(payload, stranger, algorithm="RS256", headers={"kid": "nope"}), "unknownKey")
    add("RS256 signed by the enc-use key", jwt.encode(payload, stranger, algorithm="RS256", headers={"kid": "enc-1"}),
        "unknownKey")
    add("RS256 by a stranger without kid", jwt.encode(payload, stranger, algorithm="RS256"), "invalid")

    # Keys of the wrong type or curve, named by kid: refused even though the signature is genuine for its key.
    add("ES256 naming the RSA kid", jwt.encode(payload, p256, algorithm="ES256", headers={"kid": "rsa-1"}), "invalid")
    add("EdDSA naming the P-256 kid", jwt.encode(payload, ed, algorithm="EdDSA", headers={"kid": "p256-1"}), "invalid")
    add("ES384 naming the P-256 kid", jwt.encode(payload, p384, algorithm="ES384", headers={"kid": "p256-1"}), "invalid")
    add("RS256 naming the Ed25519 kid", jwt.encode(payload, rsa_key, algorithm="RS256", headers={"kid": "ed-1"}), "invalid")
    # A key that declares its `alg` verifies only that algorithm, even where its type would fit another.
    add("RS256 by the RS256-pinned key", jwt.encode(payload, rsa_pinned, algorithm="RS256",
        headers={"kid": "rsa-pinned"}), "valid")
    add("PS256 by the RS256-pinned key", jwt.encode(payload, rsa_pinned, algorithm="PS256",
        headers={"kid": "rsa-pinned"}), "invalid")
    add("PS256 by the RS256-pinned key without kid", jwt.encode(payload, rsa_pinned, algorithm="PS256"), "invalid")

    document = {
        "generatedBy": "scripts/make-jwt-vectors.py",
        "jwks": {"keys": keys},
        "hmacSecret": b64url(hmac_secret),
        "vectors": vectors,
    }
    with open(out_path, "w") as f:
        json.dump(document, f, indent=1)
        f.write("\n")
    print(f"wrote {len(vectors)} vectors to {out_path}")


if __name__ == "__main__":
    main()
