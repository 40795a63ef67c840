"""Signed chain heads: `gongkai keys new`, the signature of `data/register.head.json`.

Every build writes `data/register.head.json` beside the hash chain (`data/register.json`):

    {"format": "gongkai-head/1", "site": URL, "count": N, "head": "sha256:…",
     "time": "2024-10-08T00:00:00Z", "attachments": "sha256:…" (of data/attachments.json),
     "key": {"algorithm": "ed25519", "public_key": B64, "fingerprint": "ed25519:…"} | null,
     "signature": B64 | null}

The signature (Ed25519, RFC 8032, detached, minisign-style) is over the canonical JSON of
`{format, site, count, head, time, attachments, fingerprint}` (sorted keys, compact, non-ASCII
unescaped). Ed25519 signatures are deterministic and `time` comes from SOURCE_DATE_EPOCH,
so two builds stay byte-identical.

The private key never lives in the site folder: it is read from the environment variable
`GONGKAI_SIGNING_KEY` (a CI secret: the base64 of the 32-byte seed) or from the file named
by `signing.private_key_file` in site_config.yml (outside the site folder, mode 0600).
The public key and its fingerprint are in site_config.yml (`signing.public_key`) and on
the 数据开放 page. SM2/SM3 (GB/T 32918, GB/T 32905) would fit the same head format with
another `algorithm`; it is not offered yet (see README, "Threat model").
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from generator.register import canonical

HEAD_PATH = "data/register.head.json"
ATTACHMENTS_PATH = "data/attachments.json"  # {published path: sha256} of every attachment
HEAD_FORMAT = "gongkai-head/1"
ALGORITHM = "ed25519"
ENV_KEY = "GONGKAI_SIGNING_KEY"
SIGNED_FIELDS = ("format", "site", "count", "head", "time", "attachments", "fingerprint")


class SigningError(ValueError):
    """A key that cannot be used, with a Chinese message for the editor."""


# ---------------------------------------------------------------- keys


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, size: int, what: str) -> bytes:
    try:
        data = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SigningError(f"{what}不是有效的 base64 文本") from None
    if len(data) != size:
        raise SigningError(f"{what}应为 {size} 字节（base64 解码后），实为 {len(data)} 字节")
    return data


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public_key_b64: str) -> str:
    """`ed25519:` + the first 32 hex digits of sha256 of the raw public key."""
    raw = _unb64(public_key_b64, 32, "公钥")
    return f"{ALGORITHM}:{hashlib.sha256(raw).hexdigest()[:32]}"


def load_public(public_key_b64: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_unb64(public_key_b64, 32, "公钥"))


def new_key() -> tuple[str, str]:
    """(private seed, public key), both base64."""
    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return _b64(seed), _b64(public_bytes(key.public_key()))


def write_private(path: Path, seed_b64: str) -> None:
    """Write the seed to a new file readable by its owner only (0600); never overwrite."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(seed_b64 + "\n")


def load_private(seed_b64: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_unb64(seed_b64, 32, "私钥"))


def inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def shown(config) -> dict | None:
    """The key as the 数据开放 page shows it (config: site_config.yml's `signing`)."""
    if config is None:
        return None
    try:
        return {"public_key": config.public_key, "fingerprint": fingerprint(config.public_key)}
    except SigningError:
        return None  # `gongkai build` reports the key (signing-key) before it gets here


@dataclass
class Signer:
    key: Ed25519PrivateKey
    public_key: str  # base64
    source: str  # where the private key came from, for messages


def find_signer(site_dir: Path, public_key: str | None, private_key_file: str | None) -> Signer | None:
    """The private key of the site, or None when none is available. Raises SigningError when
    one is given but unusable: unreadable, inside the site folder, or not the private key
    of the configured public key."""
    seed, source = os.environ.get(ENV_KEY, "").strip(), f"环境变量 {ENV_KEY}"
    if not seed and private_key_file:
        path = Path(os.path.expanduser(private_key_file))
        path = path if path.is_absolute() else site_dir / path
        source = f"私钥文件 {private_key_file}"
        if inside(path, site_dir):
            raise SigningError(f"{source} 在站点文件夹之内：私钥不得放在站点文件夹或仓库中")
        try:
            seed = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise SigningError(f"无法读取{source}：{getattr(exc, 'strerror', None) or exc}") from None
    if not seed:
        return None
    key = load_private(seed)
    derived = _b64(public_bytes(key.public_key()))
    if public_key and derived != public_key.strip():
        raise SigningError(
            f"{source} 中的私钥与 site_config.yml 的 signing.public_key 不是一对（私钥对应的公钥为 {derived}）"
        )
    return Signer(key, derived, source)


# ---------------------------------------------------------------- heads


def head_time(day: dt.date | None = None, zone: dt.tzinfo = dt.UTC) -> str:
    """The signing time in UTC: SOURCE_DATE_EPOCH when set, else the start of the build's
    day in the site's time zone (so two builds of one day sign the same head), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    utc = dt.UTC
    if epoch.isdigit():
        moment = dt.datetime.fromtimestamp(int(epoch), utc)
    elif day is not None:
        moment = dt.datetime.combine(day, dt.time(), zone).astimezone(utc)
    else:
        moment = dt.datetime.now(utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def signed_text(head: dict) -> bytes:
    key = head.get("key") or {}
    fields = {name: head.get(name) for name in SIGNED_FIELDS if name != "fingerprint"}
    fields["fingerprint"] = key.get("fingerprint") if isinstance(key, dict) else None
    return canonical(fields).encode("utf-8")


def attachments_file(files: dict[str, Path]) -> bytes:
    """The bytes of data/attachments.json: {published path: sha256:<hex>}, sorted. The
    record names an item's attachments but not their bytes: this list, whose digest the
    (signed) head carries, binds them."""
    digests = {}
    for rel, source in sorted(files.items()):
        digest = hashlib.sha256()
        with source.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digests[rel] = "sha256:" + digest.hexdigest()
    return json.dumps(digests, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8") + b"\n"


def make_head(
    site_url: str,
    count: int,
    head: str,
    signer: Signer | None,
    attachments: str | None = None,
    time: str | None = None,
) -> dict:
    data: dict = {"format": HEAD_FORMAT, "site": site_url, "count": count, "head": head, "time": time or head_time()}
    data["attachments"] = attachments
    if signer is None:
        return {**data, "key": None, "signature": None}
    public = signer.public_key
    data["key"] = {"algorithm": ALGORITHM, "public_key": public, "fingerprint": fingerprint(public)}
    data["signature"] = _b64(signer.key.sign(signed_text(data)))
    return data


def head_file(
    site_url: str, chain: bytes, signer: Signer | None, attachments: bytes | None = None, time: str | None = None,
) -> bytes:
    """The bytes of data/register.head.json for the bytes of data/register.json (and of
    data/attachments.json, whose sha256 it carries)."""
    data = json.loads(chain)
    digest = "sha256:" + hashlib.sha256(attachments).hexdigest() if attachments is not None else None
    head = make_head(site_url, data["count"], data["head"], signer, digest, time)
    return json.dumps(head, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def head_problems(head: object, chain: dict, trusted_key: str | None = None) -> tuple[list[str], str]:
    """(what is wrong with a head for this chain, a line naming the key or saying there is
    none). `trusted_key`: a public key (base64) or fingerprint the signature must be by."""
    if not isinstance(head, dict) or head.get("format") != HEAD_FORMAT:
        return [f"{HEAD_PATH} 不是 {HEAD_FORMAT} 格式"], ""
    found = []
    if head.get("head") != chain.get("head") or head.get("count") != chain.get("count"):
        found.append(
            f"{HEAD_PATH} 记录的链头 {head.get('head')}（{head.get('count')} 条）"
            f"与发布登记的链头 {chain.get('head')}（{chain.get('count')} 条）不同"
        )
    key, signature = head.get("key"), head.get("signature")
    if key is None and signature is None:
        if trusted_key:
            found.append(f"{HEAD_PATH} 没有签名，但要求由密钥 {trusted_key} 签名")
        return found, "本站未配置签名密钥：链头没有签名，只能与以前保存的链头比较（--extends）"
    try:
        if not isinstance(key, dict) or key.get("algorithm") != ALGORITHM or not isinstance(signature, str):
            raise SigningError(f"签名算法应为 {ALGORITHM}")
        public = load_public(str(key.get("public_key")))
        printed = fingerprint(str(key.get("public_key")))
        if key.get("fingerprint") != printed:
            raise SigningError(f"公钥指纹应为 {printed}")
        public.verify(_unb64(signature, 64, "签名"), signed_text(head))
    except SigningError as exc:
        return found + [f"{HEAD_PATH}: 签名无法校验：{exc}"], ""
    except InvalidSignature:
        return found + [f"{HEAD_PATH}: 签名不符：链头不是由密钥 {key.get('fingerprint')} 签署的，或签名后被改动过"], ""
    if trusted_key and trusted_key.strip() not in (key.get("public_key"), key.get("fingerprint")):
        found.append(f"{HEAD_PATH}: 签名密钥为 {key.get('fingerprint')}，不是要求的 {trusted_key}")
    return found, f"链头签名有效：密钥 {key.get('fingerprint')}（{head.get('time')}）"
