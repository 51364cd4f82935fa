# Writes a collection whose root went through N versions, each padded with PAD bytes and validly
# signed, as `signet serve` would serve it (server/v2/…/_trust/tuf/) plus a trust dir caching root v1
# (trust/). Usage: python3 root-chain.py OUTDIR N PAD   (needs python3-cryptography)
import sys, os, json, hashlib, base64, datetime, shutil
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

out, n, pad = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
gun = "example.com/bench/rootchain"
now = datetime.datetime.now(datetime.timezone.utc)
def t(d): return (now + datetime.timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%SZ")
def canon(v): return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
def keyjson(kt, pub): return {"keytype": kt, "keyval": {"private": None, "public": pub}}
def kid(k): return hashlib.sha256(canon(k)).hexdigest()
def sign(signed, priv, keyid):
    der = priv.sign(canon(signed), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    sig = base64.b64encode(r.to_bytes(32, "big") + s.to_bytes(32, "big")).decode()
    return (b'{"signed":' + canon(signed) + b',"signatures":[' + canon({"keyid": keyid, "method": "ecdsa", "sig": sig}) + b"]}")
def meta(b): return {"hashes": {"sha256": base64.b64encode(hashlib.sha256(b).digest()).decode()}, "length": len(b)}

rootpriv = ec.generate_private_key(ec.SECP256R1())
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, gun)])
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(rootpriv.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CODE_SIGNING]), False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .sign(rootpriv, hashes.SHA256()))
rootkey = keyjson("ecdsa-x509", base64.b64encode(cert.public_bytes(serialization.Encoding.PEM)).decode())
rid = kid(rootkey)
keys, privs = {rid: rootkey}, {}
roles = {"root": {"keyids": [rid], "threshold": 1}}
for role in ["targets", "snapshot", "timestamp"]:
    p = ec.generate_private_key(ec.SECP256R1())
    k = keyjson("ecdsa", base64.b64encode(p.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode())
    keys[kid(k)] = k; privs[role] = (p, kid(k)); roles[role] = {"keyids": [kid(k)], "threshold": 1}
tuf = os.path.join(out, "server", "v2", gun, "_trust", "tuf")
os.makedirs(tuf, exist_ok=True)
padding = "p" * pad
for v in range(1, n + 1):
    signed = {"_type": "Root", "consistent_snapshot": False, "expires": t(300), "keys": keys, "roles": roles, "version": v}
    if pad: signed["x-padding"] = padding
    b = sign(signed, rootpriv, rid)
    open(os.path.join(tuf, f"{v}.root.json"), "wb").write(b)
    if v == 1:
        md = os.path.join(out, "trust", "tuf", gun, "metadata"); os.makedirs(md, exist_ok=True)
        open(os.path.join(md, "root.json"), "wb").write(b)
    if v == n:
        open(os.path.join(tuf, "root.json"), "wb").write(b); rootbytes = b
targets = sign({"_type": "Targets", "delegations": {"keys": {}, "roles": []}, "expires": t(300),
                "targets": {"1.0": {"hashes": {"sha256": base64.b64encode(hashlib.sha256(b"x").digest()).decode()}, "length": 1}}, "version": 1}, *privs["targets"])
snapshot = sign({"_type": "Snapshot", "expires": t(300), "meta": {"root": meta(rootbytes), "targets": meta(targets)}, "version": 1}, *privs["snapshot"])
timestamp = sign({"_type": "Timestamp", "expires": t(10), "meta": {"snapshot": meta(snapshot)}, "version": 1}, *privs["timestamp"])
for role, b in [("targets", targets), ("snapshot", snapshot)]:
    open(os.path.join(tuf, f"{role}.json"), "wb").write(b)
    open(os.path.join(tuf, f"{role}.{hashlib.sha256(b).hexdigest()}.json"), "wb").write(b)
open(os.path.join(tuf, "timestamp.json"), "wb").write(timestamp)
print(gun)
