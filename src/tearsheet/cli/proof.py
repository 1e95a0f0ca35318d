"""``tearsheet proof`` (signed WACZ packages of articles), ``tearsheet verify`` (check one),
``tearsheet keys`` (the signing key's public half) and ``tearsheet stamp`` (timestamp the
queued captures now). The cryptography and the store load inside each command.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from tearsheet.cli.common import ConfigOption, app, console, err_console, moment_option, open_store
from tearsheet.config import Settings, load_settings
from tearsheet.errors import ProofError

if TYPE_CHECKING:
    from tearsheet.archive.signing import SigningKey
    from tearsheet.archive.verify import Verdict
    from tearsheet.archive.wacz import PackageReport
    from tearsheet.store.store import Store


def signing_key(settings: Settings) -> SigningKey:
    """The configured signing key, made (and said so) on first use."""
    from tearsheet.archive.signing import SigningKey, key_path

    path = key_path(settings)
    existed = path.exists()
    key = SigningKey.from_settings(settings)
    if not existed:
        err_console.print(f"made a new {key.curve} signing key: {path} ({key.fingerprint})",
                          markup=False, highlight=False)
    return key


def package_article(settings: Settings, store: Store, article: dict[str, object], out: Path,
                    key: SigningKey, chosen: set[int] | None = None) -> PackageReport:
    """Write one article's proof package to ``out``."""
    from tearsheet.archive.wacz import write_file
    from tearsheet.archive.warc import default_dir
    from tearsheet.store.proofs import Proofs

    proofs = Proofs(store)
    article_id = int(str(article["id"]))
    return write_file(out, article, proofs.versions_of(article_id),
                      archive_dir=default_dir(settings), key=key,
                      stamps=proofs.stamps_of(article_id), chosen=chosen)


@app.command()
def proof(
    url: Annotated[str | None, typer.Argument(help="A tracked article's URL.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help=(
        "The package (FILE.wacz); with --source or --since, a folder for one package per "
        "article."))] = Path("proof.wacz"),
    version: Annotated[list[int] | None, typer.Option(
        "--version", "-v", help="Only this version (repeat for more; default: all).")] = None,
    source: Annotated[str | None, typer.Option(help="Every article of this source.")] = None,
    since: Annotated[str | None, typer.Option(
        help="Every article with a version captured at or after this time (UTC).")] = None,
    config: ConfigOption = None,
) -> None:
    """Write a signed WACZ proof package of an article's captured versions (or of many)."""
    from tearsheet.urls import canonicalize

    settings = load_settings(config)
    if url is None and source is None and since is None:
        raise ProofError("give an article URL, or --source and/or --since for many")
    key = signing_key(settings)
    with open_store(settings) as store:
        if url is None:
            _bulk(settings, store, key, out, source, moment_option(since, "since"))
            return
        article = store.article_by_url(canonicalize(url))
        if article is None:
            raise ProofError(f"{url} is not a tracked article")
        if out.suffix != ".wacz":
            raise ProofError(f"{out}: a proof package's name ends in .wacz")
        chosen = set(version) if version else None
        if chosen and not chosen <= set(range(1, article["version_count"] + 1)):
            raise ProofError(f"{url} has versions 1 to {article['version_count']}")
        report = package_article(settings, store, article, out, key, chosen)
    _say_written(out, report)


def _say_written(out: Path, report: PackageReport) -> None:
    err_console.print(f"wrote {out}: {report.versions} versions, {report.captures} raw "
                      f"captures, {report.stamped} timestamped, {report.bytes:,} bytes",
                      markup=False, highlight=False)
    for problem in report.problems:
        err_console.print(f"  warning: {problem}", markup=False, highlight=False)


def _bulk(settings: Settings, store: Store, key: SigningKey, folder: Path,
          source: str | None, since: object) -> None:
    """One package per article, into ``folder`` (named after each article's id), in
    memory flat in the number of articles as in the number of versions."""
    from datetime import datetime

    from tearsheet.cli.archive import progress_bar
    from tearsheet.store.proofs import Proofs

    assert since is None or isinstance(since, datetime)
    folder.mkdir(parents=True, exist_ok=True)
    proofs = Proofs(store)
    written = problems = 0
    with progress_bar("packaging") as (total, advance):
        total(proofs.count_changed_articles(source, since))
        for article in proofs.changed_articles(source, since):  # streamed, a page at a time
            report = package_article(settings, store, article, folder /
                                     f"{article['source']}-{article['id']}.wacz", key)
            written += 1
            problems += len(report.problems)
            advance(1)
    err_console.print(f"wrote {written} packages to {folder}"
                      + (f" ({problems} warnings: run one alone to see them)" if problems
                         else ""), markup=False, highlight=False)


@app.command()
def verify(
    package: Annotated[Path, typer.Argument(help="A proof package (.wacz).")],
    key: Annotated[str | None, typer.Option(help=(
        "The signer's key: its fingerprint (sha256:…) or public key PEM file, as the "
        "publisher's /.well-known/tearsheet-key gives it."))] = None,
    tsa_ca: Annotated[Path | None, typer.Option(help=(
        "Root certificates (PEM) the timestamping authority must chain to (default: "
        "proof.tsa_ca_file)."))] = None,
    strict: Annotated[bool, typer.Option(help=(
        "Fail when a timestamp could not be checked against a trusted root."))] = False,
    config: ConfigOption = None,
) -> None:
    """Check every hash, the signature and each timestamp of a package; exit 0 only when
    all that can be checked holds (the trust anchors not checked are listed)."""
    from tearsheet.archive.signing import read_fingerprint
    from tearsheet.archive.timestamps import load_certificates
    from tearsheet.archive.verify import verify_package

    ca = tsa_ca or load_settings(config).proof.tsa_ca_file
    roots = None
    if ca is not None:
        try:
            roots = load_certificates(ca.expanduser().read_bytes())
        except OSError as exc:
            raise ProofError(f"{ca}: cannot read it ({exc})") from None
    verdict = verify_package(package, key=read_fingerprint(key) if key else None, tsa_roots=roots)
    if strict:
        verdict.require_roots()
    _print_verdict(package, verdict)
    if not verdict.ok:
        raise typer.Exit(1)


def _print_verdict(package: Path, verdict: Verdict) -> None:
    def say(text: str, style: str = "") -> None:
        console.print(f"[{style}]{escape(text)}[/]" if style else escape(text), highlight=False,
                      soft_wrap=True)

    if verdict.url:
        say(f"{package}: {verdict.url}, {verdict.versions} versions", "bold")
    if verdict.signer is not None:
        whose = {True: "the key you named", False: "NOT the key you named",
                 None: "compare with the publisher's /.well-known/tearsheet-key"}
        say(f"signed {verdict.signer.created} by key {verdict.signer.fingerprint} "
            f"({whose[verdict.key_matches]})")
    for capture in verdict.captures:
        line = f"version {capture.number}: {capture.url} captured {capture.captured_at}"
        if capture.stamp is not None:
            trust = "" if capture.stamp.trusted else " (its root not checked)"
            line += (f"; timestamped {capture.stamp.time:%Y-%m-%dT%H:%M:%SZ} by "
                     f"{capture.stamp.tsa}{trust}")
        say(line)
    for note in verdict.notes:
        say(note, "dim")
    unchecked = verdict.unchecked()
    for anchor in unchecked:
        say(f"NOT CHECKED: {anchor}", "yellow")
    for failure in verdict.failures:
        say(f"FAILS: {failure}", "bold red")
    if not verdict.ok:
        say(f"{len(verdict.failures)} checks fail", "bold red")
    elif unchecked:
        say(f"all checks hold; {len(unchecked)} trust anchors not checked (NOT CHECKED above)",
            "bold green")
    else:
        say("all checks hold, with every trust anchor checked", "bold green")


@app.command()
def keys(config: ConfigOption = None) -> None:
    """Print the public key proof packages are signed with (made on first use)."""
    key = signing_key(load_settings(config))
    console.print(f"# tearsheet signing key {key.fingerprint} (ECDSA {key.curve})\n"
                  f"# {key.path}", markup=False, highlight=False)
    console.print(key.public_pem(), end="", markup=False, highlight=False)


@app.command()
def stamp(
    backlog: Annotated[bool, typer.Option(help=(
        "Also queue and stamp the captures stored before a TSA was configured."))] = False,
    source: Annotated[str | None, typer.Option(help="The backlog of this source only.")] = None,
    since: Annotated[str | None, typer.Option(
        help="The backlog captured at or after this time (UTC) only.")] = None,
    config: ConfigOption = None,
) -> None:
    """Timestamp the queued captures now (what `tearsheet run` does every
    proof.timestamp_interval), then say how many wait or failed."""
    from tearsheet.archive.stamper import Stamper
    from tearsheet.archive.warc import default_dir
    from tearsheet.cli.archive import progress_bar
    from tearsheet.store.proofs import Proofs

    if (source or since) and not backlog:
        raise ProofError("--source and --since choose part of the backlog: add --backlog")
    settings = load_settings(config)
    moment = moment_option(since, "since")
    with open_store(settings) as store:
        stamper = Stamper(settings, store)
        stamped = asyncio.run(stamper.drain())
        if backlog:
            with progress_bar("stamping the backlog") as (total, advance):
                total(Proofs(store).count_unqueued(source, moment))
                done = asyncio.run(stamper.backlog(default_dir(settings), source=source,
                                                   since=moment, advance=advance))
            stamped += done.stamped
            say = f"the backlog: queued {done.queued} earlier captures"
            if done.unreadable:
                say += f"; {len(done.unreadable)} could not be read (first: {done.unreadable[0]})"
            if done.interrupted:
                say += "; stopped at a failed request (the rest: run it again later)"
            err_console.print(say, markup=False, highlight=False)
        counts = Proofs(store).stamp_counts()
    err_console.print(f"timestamped {stamped} captures; {counts.get('pending', 0)} wait for "
                      f"a retry, {counts.get('failed', 0)} failed, "
                      f"{counts.get('stamped', 0)} stamped in all", markup=False,
                      highlight=False)
